import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { expectGolden } from './golden';

let dir = '';
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'golden-'));
});
afterEach(() => {
  vi.unstubAllEnvs();
  rmSync(dir, { recursive: true, force: true });
});

describe('expectGolden', () => {
  it('a missing golden file fails and is not written', () => {
    vi.stubEnv('UPDATE_GOLDEN', '');
    const f = path.join(dir, 'x.expected.json');
    expect(() => expectGolden(f, { a: 1 })).toThrow(/missing golden file .*x\.expected\.json.*UPDATE_GOLDEN=1/);
    expect(existsSync(f)).toBe(false);
  });

  it('a different golden file fails; an equal one passes (undefined members do not count)', () => {
    vi.stubEnv('UPDATE_GOLDEN', '');
    const f = path.join(dir, 'x.expected.json');
    writeFileSync(f, '{"a":1,"b":[2]}\n');
    expect(() => expectGolden(f, { a: 1, b: [3] })).toThrow(/differs from the golden file/);
    expect(() => expectGolden(f, { a: 1, b: [2], c: undefined })).not.toThrow();
    expect(readFileSync(f, 'utf8')).toBe('{"a":1,"b":[2]}\n');
  });

  it('UPDATE_GOLDEN=1 writes the file from the value', () => {
    vi.stubEnv('UPDATE_GOLDEN', '1');
    const f = path.join(dir, 'x.expected.json');
    expectGolden(f, { a: 1, c: undefined });
    expect(readFileSync(f, 'utf8')).toBe('{\n  "a": 1\n}\n');
  });
});
