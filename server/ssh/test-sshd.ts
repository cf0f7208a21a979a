// Test fixture (not app code): a real OpenSSH sshd on 127.0.0.1, in a temp dir, with its own
// host key and authorized_keys. Only the processes started here are ever signalled.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, readdirSync, readlinkSync, writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import path from 'node:path';

/** The direct children of a process (Linux /proc; [] once it is gone). */
export function childPids(pid: number): number[] {
  try {
    return readdirSync(`/proc/${pid}/task`)
      .flatMap((t) => readFileSync(`/proc/${pid}/task/${t}/children`, 'utf8').trim().split(/\s+/))
      .filter((p) => p !== '')
      .map(Number);
  } catch {
    return [];
  }
}

/** Every process below a process. */
export function descendantPids(pid: number): number[] {
  const out: number[] = [];
  const todo = childPids(pid);
  while (todo.length > 0) {
    const p = todo.pop() as number;
    out.push(p);
    todo.push(...childPids(p));
  }
  return out;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export function keygen(file: string, type: 'ed25519' | 'ecdsa' | 'rsa', passphrase = ''): { pub: string; fingerprint: string } {
  execFileSync('ssh-keygen', ['-q', '-t', type, ...(type === 'rsa' ? ['-b', '2048'] : []), '-N', passphrase, '-C', 'test', '-f', file]);
  const pub = readFileSync(`${file}.pub`, 'utf8').trim();
  // "256 SHA256:xxxx comment (ED25519)"
  const fingerprint = execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', `${file}.pub`]).toString().split(' ')[1] ?? '';
  return { pub, fingerprint };
}

async function waitForPort(port: number, ms: number): Promise<void> {
  const end = Date.now() + ms;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1');
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > end) throw new Error(`sshd did not listen on ${port} within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 30));
  }
}

export interface TestSshd {
  port: number;
  dir: string;
  hostKeyPub: string;
  hostKeyFingerprint: string;
  /** Start (again) on the same port. */
  start(): Promise<void>;
  /** Kill the listener and every session it spawned (full outage). */
  stop(): Promise<void>;
  /** Kill only the per-connection children (drops live connections; the listener stays). */
  killSessions(): number;
  /** Number of connections (per-connection sshd children; startup probes may add a short-lived one). */
  sessions(): number;
  /** Does a process of this sshd hold a TCP socket whose local port is `port`? */
  ownsLocalPort(port: number): boolean;
}

/**
 * Start sshd in `dir` (created by the caller) with authorized_keys already written there.
 * `extra` lines are appended to sshd_config (e.g. SetEnv PATH=...).
 */
export async function startSshd(dir: string, name: string, extra: string[] = []): Promise<TestSshd> {
  mkdirSync('/run/sshd', { recursive: true }); // sshd's privilege-separation directory
  const hostKey = path.join(dir, `${name}_host_ed25519`);
  const { pub, fingerprint } = keygen(hostKey, 'ed25519');
  const port = await freePort();
  const cfg = path.join(dir, `${name}_sshd_config`);
  writeFileSync(
    cfg,
    [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${hostKey}`,
      `PidFile ${path.join(dir, `${name}.pid`)}`,
      `AuthorizedKeysFile ${path.join(dir, 'authorized_keys')}`,
      'StrictModes no',
      'UsePAM no',
      'PermitRootLogin prohibit-password',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'PubkeyAuthentication yes',
      'AllowTcpForwarding yes',
      'MaxSessions 10',
      'MaxStartups 50',
      'LogLevel ERROR',
      ...extra,
      '',
    ].join('\n'),
  );
  let child: ChildProcess | null = null;
  /** Direct children of the listener: one per connection. */
  const children = (): number[] => (child?.pid ? childPids(child.pid) : []);
  /** Every process below the listener (sessions and the commands they run). */
  const descendants = (): number[] => (child?.pid ? descendantPids(child.pid) : []);
  const d: TestSshd = {
    port,
    dir,
    hostKeyPub: pub,
    hostKeyFingerprint: fingerprint,
    async start() {
      child = spawn('/usr/sbin/sshd', ['-D', '-e', '-f', cfg], { stdio: ['ignore', 'ignore', 'pipe'] });
      child.stderr?.on('data', () => undefined);
      await waitForPort(port, 5000);
    },
    async stop() {
      const c = child;
      if (!c?.pid) return;
      d.killSessions();
      const exited = new Promise<void>((r) => c.once('exit', () => r()));
      c.kill('SIGTERM');
      await exited;
      child = null;
    },
    killSessions() {
      const pids = descendants();
      for (const p of pids) {
        try {
          process.kill(p, 'SIGKILL');
        } catch {
          /* already gone */
        }
      }
      return pids.length;
    },
    sessions() {
      return children().length;
    },
    ownsLocalPort(localPort: number) {
      const hex = localPort.toString(16).toUpperCase().padStart(4, '0');
      const inodes = new Set<string>();
      for (const f of ['/proc/net/tcp', '/proc/net/tcp6']) {
        for (const line of readFileSync(f, 'utf8').split('\n').slice(1)) {
          const cols = line.trim().split(/\s+/);
          if (cols[1]?.endsWith(`:${hex}`) && cols[9]) inodes.add(cols[9]);
        }
      }
      return descendants().some((pid) => {
        try {
          return readdirSync(`/proc/${pid}/fd`).some((fd) => {
            try {
              const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
              return m !== null && inodes.has(m[1] ?? '');
            } catch {
              return false;
            }
          });
        } catch {
          return false;
        }
      });
    },
  };
  await d.start();
  return d;
}

/** Write an executable script. */
export function writeScript(file: string, text: string): void {
  writeFileSync(file, text);
  chmodSync(file, 0o755);
}
