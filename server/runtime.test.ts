import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfigFile } from '@/server/config/load';
import { writeTestConfig } from '@/server/testing/console-env';
import { createRuntime, type Runtime } from './runtime';

// A runtime built from its inputs (no environment, no process-wide state): a configuration file in
// a temporary directory and a fixed clock.

const T = 1_790_000_000_000;
let dir: string;
let rt: Runtime;

beforeAll(async () => {
  const written = await writeTestConfig();
  dir = written.dir;
  rt = createRuntime(loadConfigFile(written.file), { now: () => T });
});

afterAll(async () => {
  await rt.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('createRuntime', () => {
  it('builds the services from the configuration it is given, on the clock it is given', () => {
    expect(rt.config.clusters.map((c) => c.name)).toEqual(['lab']);
    expect(rt.auth.now()).toBe(T);
    expect(rt.auth.config.users.map((u) => u.name)).toEqual(['vera', 'otto', 'ada', 'sam']);
    expect(rt.drain.service.intents('lab')).toEqual({ cluster: 'lab', intents: [] });
  });
});
