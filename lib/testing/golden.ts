// Golden files for parser tests: a fixture's reviewed expected model, `<fixture>.expected.json`
// beside it. A missing or different golden file fails the test; only an explicit UPDATE_GOLDEN=1
// (re)writes them from the parser's output, and that diff is then reviewed by hand before committing.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { expect } from 'vitest';

/** True when this run was asked to (re)write golden files. */
export function updatingGolden(): boolean {
  return process.env.UPDATE_GOLDEN === '1';
}

/**
 * Compares `value` (as JSON: undefined members dropped) with the golden file `file`. Without
 * UPDATE_GOLDEN=1 a missing file fails, naming the file and how to write it.
 */
export function expectGolden(file: string, value: unknown): void {
  const actual: unknown = JSON.parse(JSON.stringify(value) ?? 'null');
  if (updatingGolden()) writeFileSync(file, `${JSON.stringify(actual, null, 2)}\n`);
  if (!existsSync(file)) {
    throw new Error(`missing golden file ${file}: check the parser's output by hand, then write it with UPDATE_GOLDEN=1 and review the diff`);
  }
  const expected: unknown = JSON.parse(readFileSync(file, 'utf8'));
  expect(actual, `differs from the golden file ${file} (UPDATE_GOLDEN=1 rewrites it: review the diff)`).toEqual(expected);
}
