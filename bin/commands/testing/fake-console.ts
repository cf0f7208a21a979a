import { afterEach, beforeEach, vi } from 'vitest';

// A fake console for lvsctl's command tests: fetch answers from a queue per "METHOD /path" and records
// every request; stdout and stderr are captured; LVS_CONSOLE_URL and LVS_CONSOLE_TOKEN point the
// commands at it. fakeConsole() registers the hooks that set this up before each test of the file
// and undo it after.

/** An answer (status and JSON body, or a text body sent as is), or an error fetch rejects with. */
export type Answer = { status: number; body: unknown } | Error;

export interface SeenRequest {
  method: string;
  url: string;
  auth: string | null;
  body: unknown;
}

export interface FakeConsole {
  /** Every request made, in order. */
  seen: SeenRequest[];
  stdout: string;
  stderr: string;
  /**
   * Answers each request with the next answer queued for "METHOD /path" (the query is not part of
   * the key); a request with none left finds the console unreachable.
   */
  answer(answers: Record<string, Answer[]>): void;
}

const FAKE_CONSOLE_URL = 'http://console.test:3999';

export function fakeConsole(): FakeConsole {
  const fake: FakeConsole = {
    seen: [],
    stdout: '',
    stderr: '',
    answer(answers) {
      vi.stubGlobal('fetch', (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
        const url = input instanceof Request ? input.url : input.toString();
        const method = init?.method ?? 'GET';
        fake.seen.push({ method, url, auth: new Headers(init?.headers).get('authorization'), body: typeof init?.body === 'string' ? JSON.parse(init.body) : undefined });
        const a = answers[`${method} ${new URL(url).pathname}`]?.shift();
        if (a === undefined) return Promise.reject(new TypeError('fetch failed', { cause: new Error('connect ECONNREFUSED 127.0.0.1:3999') }));
        if (a instanceof Error) return Promise.reject(a);
        return Promise.resolve(new Response(typeof a.body === 'string' ? a.body : JSON.stringify(a.body), { status: a.status }));
      });
    },
  };

  beforeEach(() => {
    fake.seen = [];
    fake.stdout = '';
    fake.stderr = '';
    vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => ((fake.stdout += String(s)), true));
    vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => ((fake.stderr += String(s)), true));
    vi.stubEnv('LVS_CONSOLE_URL', `${FAKE_CONSOLE_URL}/`);
    vi.stubEnv('LVS_CONSOLE_TOKEN', 'lvs_test');
  });

  afterEach(() => {
    vi.restoreAllMocks();
    vi.unstubAllGlobals();
    vi.unstubAllEnvs();
  });

  return fake;
}
