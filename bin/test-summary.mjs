// Sums vitest (jest-style JSON) and Playwright JSON reports into one closing line:
// "N passed, N failed, N skipped". A suite that failed to run counts as failed, never as nothing:
//  - a missing, unreadable, empty or non-JSON report: 1 failure (the suite did not run or report);
//  - a report that ran no test at all: 1 failure;
//  - vitest: each test file that failed without a failed test of its own (it failed to import, or
//    a beforeAll/afterAll hook threw, which leaves its tests "skipped"): 1 failure; a run that
//    says `success: false` with nothing else counted (e.g. an unhandled error): 1 failure;
//  - Playwright: each entry of `errors` (the web server did not start, a spec failed to load, a
//    global setup threw): 1 failure.
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';

/** @param {unknown} v */
const num = (v) => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
/** @param {string} s */
const firstLine = (s) => s.split('\n').find((l) => l.trim() !== '')?.trim().slice(0, 200) ?? '';

/**
 * @param {string} file
 * @param {string | null} text the report's contents; null when it could not be read
 * @returns {{ passed: number, failed: number, skipped: number, notes: string[] }}
 */
export function summarizeReport(file, text) {
  const out = { passed: 0, failed: 0, skipped: 0, notes: /** @type {string[]} */ ([]) };
  const fail = (/** @type {string} */ why) => {
    out.failed++;
    out.notes.push(`${file}: ${why}: counted as 1 failed`);
  };
  if (text === null) return (fail('no report (missing or unreadable)'), out);
  if (text.trim() === '') return (fail('empty report'), out);
  let r;
  try {
    r = JSON.parse(text);
  } catch (e) {
    return (fail(`not JSON (${e instanceof Error ? e.message : String(e)})`), out);
  }
  if (typeof r !== 'object' || r === null) return (fail('not a test report'), out);
  if (typeof r.stats === 'object' && r.stats !== null && 'expected' in r.stats) {
    // Playwright
    out.passed += num(r.stats.expected) + num(r.stats.flaky);
    out.failed += num(r.stats.unexpected);
    out.skipped += num(r.stats.skipped);
    const errors = Array.isArray(r.errors) ? r.errors : [];
    for (const e of errors) fail(`error outside any test: ${firstLine(String(e?.message ?? e?.value ?? JSON.stringify(e)))}`);
    if (errors.length === 0 && out.passed + out.failed + out.skipped === 0) fail('ran no test');
    return out;
  }
  if (!('numTotalTests' in r) && !Array.isArray(r.testResults)) return (fail('not a vitest or Playwright JSON report'), out);
  // vitest
  out.passed += num(r.numPassedTests);
  out.failed += num(r.numFailedTests);
  out.skipped += num(r.numPendingTests) + num(r.numTodoTests);
  let counted = out.failed;
  if (Array.isArray(r.testResults)) {
    for (const t of r.testResults) {
      const tests = Array.isArray(t?.assertionResults) ? t.assertionResults : [];
      if (t?.status === 'failed' && !tests.some((a) => a?.status === 'failed')) {
        fail(`${String(t.name ?? '(a test file)')} failed outside its tests${t.message ? ` (${firstLine(String(t.message))})` : ''}`);
        counted++;
      }
    }
  } else if (num(r.numFailedTestSuites) > 0 && out.failed === 0) {
    fail(`${num(r.numFailedTestSuites)} suite(s) failed outside their tests`);
    counted++;
  }
  if (r.success === false && counted === 0) fail('the run failed (success: false) outside any test');
  else if (num(r.numTotalTests) === 0 && counted === 0) fail('ran no test');
  return out;
}

/**
 * @param {readonly { file: string, text: string | null }[]} reports
 */
export function summarize(reports) {
  const total = { passed: 0, failed: 0, skipped: 0, notes: /** @type {string[]} */ ([]) };
  for (const { file, text } of reports) {
    const r = summarizeReport(file, text);
    total.passed += r.passed;
    total.failed += r.failed;
    total.skipped += r.skipped;
    total.notes.push(...r.notes);
  }
  return { ...total, line: `${total.passed} passed, ${total.failed} failed, ${total.skipped} skipped` };
}

/** @param {string} file */
function readReport(file) {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const s = summarize(process.argv.slice(2).map((file) => ({ file, text: readReport(file) })));
  for (const n of s.notes) console.log(`(${n})`);
  console.log(s.line);
}
