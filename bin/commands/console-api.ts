// What the commands that talk to a running console share (status, services, host, history, drain,
// restore, weight): where the console is, the API token, and the typed API client the browser
// uses (lib/api/client.ts: same paths, same zod validation, same ApiError), with the token as a
// bearer instead of the browser's session cookie.

import fs from 'node:fs';
import { formatEndpoint } from '@/lib/address';
import { createApiClient, type ApiClient, type ApiError } from '@/lib/api/client';
import { loadConfigFile, readEnvironment } from '@/server/config/load';
import { UsageError } from './command';

/** What these commands need from the outside world (a fake in tests). */
export interface ApiDeps {
  fetch: typeof fetch;
  env: Record<string, string | undefined>;
  readFile: (path: string) => string;
  now: () => number;
  out: (s: string) => void;
  err: (s: string) => void;
}

export const processDeps = (): ApiDeps => ({
  fetch: (...a) => fetch(...a),
  env: process.env,
  readFile: (p) => fs.readFileSync(p, 'utf8'),
  now: () => Date.now(),
  out: (s) => void process.stdout.write(`${s}\n`),
  err: (s) => void process.stderr.write(`${s}\n`),
});

/** The options every such command takes: where the console is, the token, JSON output. */
export const CONSOLE_OPTIONS = { url: { type: 'string' }, 'token-file': { type: 'string' }, json: { type: 'boolean' } } as const;

export interface ConsoleArgs {
  url?: string;
  tokenFile?: string;
}

/** --url, else $LVS_CONSOLE_URL, else the configuration's listen address, else 127.0.0.1:3000. */
export function consoleUrl(a: ConsoleArgs, deps: Pick<ApiDeps, 'env'>): string {
  if (a.url) return a.url.replace(/\/+$/, '');
  const env = deps.env.LVS_CONSOLE_URL;
  if (env) return env.replace(/\/+$/, '');
  try {
    const cfg = loadConfigFile(deps.env.LVS_CONSOLE_CONFIG ?? readEnvironment().configPath);
    const host = cfg.listen.host === '0.0.0.0' || cfg.listen.host === '::' ? '127.0.0.1' : cfg.listen.host;
    return `http://${formatEndpoint(host, cfg.listen.port)}`;
  } catch {
    return 'http://127.0.0.1:3000';
  }
}

/** --token-file, else $LVS_CONSOLE_TOKEN; `create` says how to make one. */
export function apiToken(a: ConsoleArgs, deps: Pick<ApiDeps, 'env' | 'readFile'>, create: string): string {
  if (a.tokenFile) {
    const t = deps.readFile(a.tokenFile).trim();
    if (t === '') throw new UsageError(`--token-file ${a.tokenFile} is empty`);
    return t;
  }
  const t = deps.env.LVS_CONSOLE_TOKEN?.trim();
  if (!t) throw new UsageError(`no API token: set LVS_CONSOLE_TOKEN or pass --token-file (create one with \`${create}\`)`);
  return t;
}

/**
 * The console's API with this token. No time limit of its own: the console bounds an action by its
 * SSH timeouts and a --wait poll by its timeout parameter, and lvsctl waits for the answer.
 */
export function consoleClient(base: string, token: string, deps: Pick<ApiDeps, 'fetch'>): ApiClient {
  return createApiClient({ baseUrl: base, bearerToken: token, fetch: deps.fetch, timeoutMs: null });
}

/**
 * Where the console is and its client with the API token, for `lvsctl <command>`; null, said on
 * stderr, when there is no token (the caller exits with its usage code).
 */
export function openConsole(a: ConsoleArgs, deps: ApiDeps, command: string): { base: string; client: ApiClient } | null {
  try {
    const base = consoleUrl(a, deps);
    return { base, client: consoleClient(base, apiToken(a, deps, 'lvsctl token create'), deps) };
  } catch (e) {
    deps.err(`lvsctl ${command}: ${e instanceof Error ? e.message : String(e)}`);
    return null;
  }
}

/** What went wrong, in the words lvsctl prints after "lvsctl <command>: ". */
export function failureMessage(e: ApiError, base: string): string {
  switch (e.code) {
    case 'network-error':
    case 'timeout': {
      const cause = e.cause instanceof Error ? e.cause : e;
      return `cannot reach the console at ${base}: ${cause.cause instanceof Error ? cause.cause.message : cause.message}`;
    }
    case 'invalid-response':
      return `the console at ${base} answered ${e.path ?? 'a request'} with something this lvsctl does not understand (a different version?)`;
    case 'http-error':
      // Not the API's own error (a proxy's page, ...): the status, and the start of any text it sent.
      return `HTTP ${e.status}${typeof e.body === 'string' && e.body ? `: ${e.body.slice(0, 200)}` : ''}`;
    default:
      return e.message;
  }
}
