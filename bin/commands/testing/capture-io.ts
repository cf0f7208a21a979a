import type { Io } from '../local';

/** An lvsctl Io for tests: what the command prints, gathered; `stdin` as its input; no terminal. */
export function captureIo(stdin = ''): Io & { stdout: string; stderr: string } {
  const r = {
    stdout: '',
    stderr: '',
    out: (s: string) => void (r.stdout += s),
    err: (s: string) => void (r.stderr += s),
    readStdin: () => Promise.resolve(stdin),
    stdinIsTty: false,
    promptHidden: () => Promise.reject(new Error('no terminal')),
  };
  return r;
}
