import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testBackend } from '@/server/testing/test-db';
import { openPostgres, StoreError } from './index';

// A console whose PostgreSQL goes away: requests fail at once with the reason (the main thread is
// not held by reconnects), status() says so, and the store is used again once the server is back.
// Its own server, so that stopping it touches no other suite.

const script = path.resolve(__dirname, '../../bin/test-postgres.sh');

describe.runIf(testBackend === 'postgres')('a PostgreSQL store that goes away and comes back', () => {
  let dir = '';
  const pgctl = (cmd: 'start' | 'stop') => execFileSync('bash', [script, cmd, dir], { encoding: 'utf8' }).trim();
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lvsc-pg-lost-'));
  });
  afterAll(() => {
    pgctl('stop');
    fs.rmSync(dir, { recursive: true, force: true });
  });
  it('fails fast while the server is down, says since when and why, and recovers by itself', async () => {
    const url = pgctl('start');
    const db = openPostgres({ connection: { connectionString: url }, location: 'the lost-store test', queryTimeoutMs: 5_000 });
    try {
      db.prepare("INSERT INTO users (name, password_hash, role, created_at) VALUES ('a', 'h', 'viewer', 1)").run();
      expect(db.status()).toEqual({ reachable: true, down: null });

      pgctl('stop');
      const count = db.prepare('SELECT count(*) AS n FROM users');
      expect(() => count.get()).toThrow(StoreError);
      const t0 = Date.now();
      expect(() => count.get()).toThrow(/the PostgreSQL store is unreachable \(since \d{4}-\d\d-\d\dT/);
      expect(Date.now() - t0).toBeLessThan(1_000); // no connect attempt on the caller's thread
      expect(db.status()).toMatchObject({ reachable: false, down: { since: expect.any(Number) as unknown, reason: expect.any(String) as unknown } });

      pgctl('start');
      const deadline = Date.now() + 20_000;
      while (!db.status().reachable && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
      expect(db.status()).toEqual({ reachable: true, down: null });
      expect(count.get()).toEqual({ n: 1 });
    } finally {
      db.close();
    }
  });

  it('refuses to start against a server that is not there, naming it', () => {
    pgctl('stop');
    expect(() => openPostgres({ connection: { connectionString: `postgresql://lvsconsole@/lvsconsole?host=${dir}/nowhere` }, location: 'postgresql://lvsconsole@/lvsconsole', queryTimeoutMs: 2_000 })).toThrow(
      /cannot connect to the PostgreSQL store at postgresql:\/\/lvsconsole@\/lvsconsole: .*ENOENT|cannot connect to the PostgreSQL store at postgresql:\/\/lvsconsole@\/lvsconsole/,
    );
  });
});
