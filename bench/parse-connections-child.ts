// Child process of bench/parse-connections.bench.ts: parses one file in one way and prints one JSON line
// {rows, ms, maxRssKiB} on stdout. Run as its own process so peak memory is this run's alone:
//   node --import tsx bench/parse-connections-child.ts <chunks|batches|readline|summary|table|noop> <file>
// ms covers reading + parsing (not Node/tsx start-up); maxRssKiB is process.resourceUsage().maxRSS.

import { createReadStream, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { performance } from 'node:perf_hooks';
import { summarizeConnectionChunks } from '../server/drain/connection-summary';
import { connectionBatchesFromChunks, streamConnections, streamConnectionsFromChunks } from '../server/parsers/ipvsadm-connections';
import { parseIpvsadm } from '../server/parsers/ipvsadm';

// 64 KiB: decoded chunk strings stay in V8's young generation (1 MiB ones would not).
const CHUNK = 1 << 16;

async function run(mode: string, file: string): Promise<number> {
  switch (mode) {
    case 'chunks': {
      // our streaming parser: manual chunk splitter, one row object per connection
      let rows = 0;
      for await (const c of streamConnectionsFromChunks(createReadStream(file, { highWaterMark: CHUNK }))) {
        if (c.expiresInSeconds >= 0) rows++;
      }
      return rows;
    }
    case 'batches': {
      // the same rows, one array per chunk (no promise per row)
      let rows = 0;
      for await (const batch of connectionBatchesFromChunks(createReadStream(file, { highWaterMark: CHUNK }))) {
        for (const c of batch) if (c.expiresInSeconds >= 0) rows++;
      }
      return rows;
    }
    case 'readline': {
      // the same parser fed by node:readline
      let rows = 0;
      const rl = createInterface({ input: createReadStream(file, { highWaterMark: CHUNK }), crlfDelay: Infinity });
      for await (const c of streamConnections(rl)) {
        if (c.expiresInSeconds >= 0) rows++;
      }
      return rows;
    }
    case 'summary': {
      // the drain-progress aggregate: no row objects at all
      const s = await summarizeConnectionChunks(createReadStream(file, { highWaterMark: CHUNK }));
      return s.rows;
    }
    case 'table': {
      // the whole-table parser on a `-Ln --stats --exact` text
      const t = parseIpvsadm(readFileSync(file, 'utf8'));
      return t.services.length;
    }
    case 'noop':
      // the runtime alone (Node + tsx + the parser modules loaded): the RSS floor of every run
      return 0;
    default:
      throw new Error(`unknown mode ${mode}`);
  }
}

const [mode, file] = process.argv.slice(2);
if (mode === undefined || file === undefined) {
  process.stderr.write('usage: parse-connections-child.ts <chunks|batches|readline|summary|table|noop> <file>\n');
  process.exit(2);
}
const t0 = performance.now();
run(mode, file).then(
  (rows) => {
    const ms = performance.now() - t0;
    process.stdout.write(`${JSON.stringify({ rows, ms, maxRssKiB: process.resourceUsage().maxRSS })}\n`);
  },
  (e: unknown) => {
    process.stderr.write(`${String(e)}\n`);
    process.exit(1);
  },
);
