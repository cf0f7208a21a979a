import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { summarize, summarizeReport } from './test-summary.mjs';

// Report shapes as vitest 3 (--reporter=json) and Playwright (json reporter) write them, trimmed to
// the fields the summary reads; the failing ones were captured from real runs of small suites.
const vitest = (over: Record<string, unknown>) =>
  JSON.stringify({ numTotalTestSuites: 1, numPassedTestSuites: 1, numFailedTestSuites: 0, numTotalTests: 2, numPassedTests: 2, numFailedTests: 0, numPendingTests: 0, numTodoTests: 0, success: true, testResults: [], ...over });
const file = (name: string, status: 'passed' | 'failed', tests: [string, 'passed' | 'failed' | 'skipped'][], message = '') => ({
  name,
  status,
  message,
  assertionResults: tests.map(([title, s]) => ({ title, status: s })),
});
const playwright = (stats: Record<string, number>, errors: unknown[] = []) =>
  JSON.stringify({ config: {}, suites: [], errors, stats: { startTime: '2026-01-01T00:00:00.000Z', duration: 1, expected: 0, skipped: 0, unexpected: 0, flaky: 0, ...stats } });

describe('test-summary', () => {
  it('adds passed, failed and skipped tests of vitest and Playwright reports', () => {
    const s = summarize([
      { file: 'unit.json', text: vitest({ numTotalTests: 6, numPassedTests: 3, numFailedTests: 1, numPendingTests: 1, numTodoTests: 1, success: false, testResults: [file('/a.test.ts', 'failed', [['x', 'failed'], ['y', 'passed']])] }) },
      { file: 'e2e.json', text: playwright({ expected: 4, flaky: 1, unexpected: 2, skipped: 1 }) },
    ]);
    expect(s.line).toBe('8 passed, 3 failed, 3 skipped');
    expect(s.notes).toEqual([]);
  });

  it('a vitest file that failed to import counts as failed (vitest counts no test for it)', () => {
    const s = summarizeReport('unit.json', vitest({
      numTotalTestSuites: 2, numFailedTestSuites: 1, numTotalTests: 1, numPassedTests: 1, success: false,
      testResults: [file('/x/ok.test.ts', 'passed', [['ok', 'passed']]), file('/x/importfail.test.ts', 'failed', [], "Cannot find module './does-not-exist' imported from '/x/importfail.test.ts'")],
    }));
    expect([s.passed, s.failed, s.skipped]).toEqual([1, 1, 0]);
    expect(s.notes).toEqual(["unit.json: /x/importfail.test.ts failed outside its tests (Cannot find module './does-not-exist' imported from '/x/importfail.test.ts'): counted as 1 failed"]);
  });

  it('a failed beforeAll (its tests reported skipped) and a failed afterAll (its tests passed) count as failed', () => {
    const s = summarizeReport('lab.json', vitest({
      numTotalTestSuites: 4, numFailedTestSuites: 3, numTotalTests: 3, numPassedTests: 1, numPendingTests: 2, success: false,
      testResults: [file('/x/beforeall.lab.test.ts', 'failed', [['a', 'skipped'], ['b', 'skipped']]), file('/x/afterall.lab.test.ts', 'failed', [['x', 'passed']], 'restore failed')],
    }));
    expect([s.passed, s.failed, s.skipped]).toEqual([1, 2, 2]);
    expect(s.notes[1]).toMatch(/afterall\.lab\.test\.ts failed outside its tests \(restore failed\)/);
  });

  it('a file with a failed test is counted by its tests, not once more', () => {
    const s = summarizeReport('unit.json', vitest({ numTotalTests: 2, numPassedTests: 1, numFailedTests: 1, success: false, testResults: [file('/a.test.ts', 'failed', [['x', 'failed'], ['y', 'passed']])] }));
    expect([s.passed, s.failed]).toEqual([1, 1]);
  });

  it('a vitest run that failed outside any file (success: false, every test passed) counts 1 failure', () => {
    const s = summarizeReport('unit.json', vitest({ success: false, testResults: [file('/a.test.ts', 'passed', [['x', 'passed'], ['y', 'passed']])] }));
    expect([s.passed, s.failed]).toEqual([2, 1]);
    expect(s.notes).toEqual(['unit.json: the run failed (success: false) outside any test: counted as 1 failed']);
  });

  it('without per-file results, failed suites without failed tests still count', () => {
    const s = summarizeReport('unit.json', JSON.stringify({ numTotalTests: 1, numPassedTests: 1, numFailedTests: 0, numFailedTestSuites: 2 }));
    expect(s.failed).toBe(1);
  });

  it('Playwright errors before any test (web server, a spec that failed to load) count as failed', () => {
    const s = summarizeReport('e2e.json', playwright({}, [
      { message: 'Error: Process from config.webServer was not able to start. Exit code: 3' },
      { message: "Error: Cannot find module './nope'\nRequire stack:\n- /x/b.spec.ts" },
    ]));
    expect([s.passed, s.failed, s.skipped]).toEqual([0, 2, 0]);
    expect(s.notes).toEqual([
      'e2e.json: error outside any test: Error: Process from config.webServer was not able to start. Exit code: 3: counted as 1 failed',
      "e2e.json: error outside any test: Error: Cannot find module './nope': counted as 1 failed",
    ]);
    // An error beside passing tests (a global teardown) still counts.
    expect(summarizeReport('e2e.json', playwright({ expected: 5 }, [{ message: 'teardown threw' }])).failed).toBe(1);
  });

  it('a report that ran no test counts 1 failure', () => {
    expect(summarizeReport('e2e.json', playwright({})).failed).toBe(1);
    expect(summarizeReport('unit.json', vitest({ numTotalTests: 0, numPassedTests: 0 })).failed).toBe(1);
  });

  it('a missing, unreadable, empty or non-JSON report counts 1 failure each', () => {
    const s = summarize([
      { file: 'a.json', text: null },
      { file: 'b.json', text: '' },
      { file: 'c.json', text: '{"numTotalTests": 3, "numPass' },
      { file: 'd.json', text: '[]' },
      { file: 'e.json', text: '{"hello": 1}' },
    ]);
    expect(s.line).toBe('0 passed, 5 failed, 0 skipped');
    expect(s.notes.map((n) => n.split(':')[0])).toEqual(['a.json', 'b.json', 'c.json', 'd.json', 'e.json']);
  });

  it('the script prints the notes and the line for report files', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'summary-'));
    try {
      writeFileSync(path.join(dir, 'unit.json'), vitest({}));
      writeFileSync(path.join(dir, 'e2e.json'), playwright({}, [{ message: 'Error: Process from config.webServer was not able to start.' }]));
      const out = execFileSync(process.execPath, [path.join(__dirname, 'test-summary.mjs'), ...['unit.json', 'lab.json', 'e2e.json'].map((f) => path.join(dir, f))], { encoding: 'utf8' });
      const lines = out.trim().split('\n');
      expect(lines.at(-1)).toBe('2 passed, 2 failed, 0 skipped');
      expect(lines.slice(0, -1)).toEqual([
        `(${path.join(dir, 'lab.json')}: no report (missing or unreadable): counted as 1 failed)`,
        `(${path.join(dir, 'e2e.json')}: error outside any test: Error: Process from config.webServer was not able to start.: counted as 1 failed)`,
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
