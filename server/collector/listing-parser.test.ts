import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { ParseError } from '@/server/parsers/parse-error';
import { defaultListingThreads, inlineListingParser, workerListingParser, type ListingParser } from './listing-parser';
import type { ListingOutputs } from './parse-listings';

// The worker thread is proven here with the real listing-worker.ts (loaded through tsx, as the
// build bundles it) on listings captured from the lab; the production build runs it in every e2e.
const root = path.resolve(__dirname, '../..');
const fixture = (f: string) => fs.readFileSync(path.join(root, 'server/parsers/fixtures/ipvsadm', f), 'utf8');
const outputs: ListingOutputs = {
  list: fixture('lab-dir1-Ln--exact.txt'),
  stats: fixture('lab-dir1-Ln--stats--exact.txt'),
  rate: fixture('lab-dir1-Ln--rate--exact.txt'),
  persistent: fixture('lab-dir1-Ln--persistent-conn.txt'),
};

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'listing-parser-'));
function entry(name: string, source: string): URL {
  const f = path.join(tmp, name);
  fs.writeFileSync(f, source);
  return pathToFileURL(f);
}
const realEntry = entry(
  'real.cjs',
  `require(${JSON.stringify(path.join(root, 'node_modules/tsx/dist/cjs/api/index.cjs'))}).register();
require(${JSON.stringify(path.join(root, 'server/collector/listing-worker.ts'))});`,
);

const parsers: ListingParser[] = [];
function pool(threads: number, e: URL): ListingParser {
  const p = workerListingParser(threads, e);
  parsers.push(p);
  return p;
}
afterEach(async () => {
  await Promise.all(parsers.splice(0).map((p) => p.close()));
  vi.restoreAllMocks();
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('listing parser threads', () => {
  it('parse the four lab listings exactly as the main thread does, on every thread of the pool', async () => {
    const said = vi.spyOn(console, 'error');
    const want = await inlineListingParser().parse(outputs);
    expect(want.services.length).toBeGreaterThan(0);
    expect(want.services.some((s) => s.stats !== null && s.rates !== null)).toBe(true);
    const p = pool(2, realEntry);
    const got = await Promise.all([p.parse(outputs), p.parse(outputs), p.parse(outputs)]);
    for (const t of got) expect(t).toEqual(want);
    // Parsed by the threads, not by the fallback.
    expect(said).not.toHaveBeenCalled();
  }, 60_000);

  it("parse keepalived's lab dump exactly as the main thread does", async () => {
    const said = vi.spyOn(console, 'error');
    const dir = path.join(root, 'server/parsers/fixtures/keepalived-data');
    const text = ['lab-dir1-keepalived.data', 'lab-dir1-keepalived_check.data'].map((f) => fs.readFileSync(path.join(dir, f), 'utf8')).join('\n');
    const want = await inlineListingParser().parseKeepalived(text);
    expect(want.instances.length).toBeGreaterThan(0);
    expect(want.virtualServers.length).toBeGreaterThan(0);
    expect(await pool(1, realEntry).parseKeepalived(text)).toEqual(want);
    expect(said).not.toHaveBeenCalled();
  }, 60_000);

  it("carry a parse error across as the same ParseError (the director's error names the line)", async () => {
    const said = vi.spyOn(console, 'error');
    const bad = { ...outputs, stats: `${outputs.stats}  -> not an address   Masq 1 0 0\n` };
    const want = await inlineListingParser().parse(bad).catch((e: unknown) => e);
    expect(want).toBeInstanceOf(ParseError);
    const got = await pool(1, realEntry).parse(bad).catch((e: unknown) => e);
    expect(got).toBeInstanceOf(ParseError);
    expect((got as ParseError).message).toBe((want as ParseError).message);
    expect(said).not.toHaveBeenCalled();
  }, 60_000);

  it('fall back to parsing on the main thread, said once, when the thread cannot load', async () => {
    const said = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const p = pool(1, entry('broken.mjs', `throw new Error('no such bundle');`));
    const want = await inlineListingParser().parse(outputs);
    expect(await p.parse(outputs)).toEqual(want);
    expect(await p.parse(outputs)).toEqual(want);
    expect(said).toHaveBeenCalledTimes(1);
    expect(String(said.mock.calls[0]?.[0])).toMatch(/listing parser threads unavailable.*no such bundle/);
  }, 30_000);

  it('fail only the parse in hand when a loaded thread dies, and start a new thread for the next', async () => {
    const starts = path.join(tmp, 'starts');
    fs.writeFileSync(starts, '');
    const dies = entry(
      'dies.mjs',
      `import { parentPort } from 'node:worker_threads';
import fs from 'node:fs';
fs.appendFileSync(${JSON.stringify(starts)}, 'x');
parentPort.on('message', () => process.exit(3));
parentPort.postMessage({ ready: true });`,
    );
    const p = pool(1, dies);
    await expect(p.parse(outputs)).rejects.toThrow(/listing parser thread exited \(code 3\)/);
    await expect(p.parse(outputs)).rejects.toThrow(/exited/);
    expect(fs.readFileSync(starts, 'utf8')).toBe('xx');
  }, 30_000);

  it('use one thread per spare CPU, none on a single CPU, at most 4', () => {
    expect([1, 2, 3, 8, 64].map((n) => defaultListingThreads(n))).toEqual([0, 1, 2, 4, 4]);
    expect(() => workerListingParser(0)).toThrow(RangeError);
  });

  it('refuse work after close', async () => {
    const p = pool(1, realEntry);
    await p.close();
    await expect(p.parse(outputs)).rejects.toThrow(/closed/);
  });
});
