// Sums vitest (jest-style JSON) and Playwright JSON reports into one closing line:
// "N passed, N failed, N skipped". A missing report counts as one failure (the suite did not run).
import fs from 'node:fs';

let passed = 0, failed = 0, skipped = 0;
for (const file of process.argv.slice(2)) {
  if (!fs.existsSync(file)) { console.log(`(no report ${file}: counted as 1 failed)`); failed++; continue; }
  const r = JSON.parse(fs.readFileSync(file, 'utf8'));
  if (r.stats && 'expected' in r.stats) { // Playwright
    passed += r.stats.expected + (r.stats.flaky ?? 0); failed += r.stats.unexpected; skipped += r.stats.skipped;
  } else { // vitest json reporter
    passed += r.numPassedTests ?? 0; failed += r.numFailedTests ?? 0; skipped += (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
    if ((r.numTotalTests ?? 0) === 0) { console.log(`(${file} ran no test: counted as 1 failed)`); failed++; }
  }
}
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
