// Bench (#19): the chart's render time for the 24 h range of a 20-real-server service (stacked,
// with markers), in chromium, p50 over RUNS; beside it bare uPlot drawing the same history (its
// columns stacked by hand, no markers, no legend), the floor any uPlot chart pays.
//
// The page is bench/chart/harness.tsx bundled with esbuild (production React, the console's own
// TrafficChart and toChartData): each run mounts a fresh chart and stops the clock at the first
// animation frame after it is on screen (for the console: its marker layer is in the plot). The
// target is the console's cost over the library's own floor: at most half as much again. The
// history is what the API returns for 24 h: 720 points (120 s buckets) per real server.
//
// Standalone: npx tsx bench/chart.bench.ts
import '../bin/server-only-shim';
import fs from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';
import { chromium } from '@playwright/test';
import { bucketFor } from '../server/collector/history';
import type { ChartMarker, MarkerKind } from '../lib/chart';
import type { HistoryResponse } from '../lib/models/cluster';
import { CHROMIUM, CHROMIUM_ARGS, pct, runIfMain } from './standalone';
import type { BenchContext, BenchRow } from './types';

const REAL_SERVERS = 20;
const RANGE_MS = 24 * 3_600_000;
const WARMUP = 3;
const RUNS = 15;

function history(now: number): HistoryResponse {
  const from = now - RANGE_MS;
  const b = bucketFor(RANGE_MS, 720);
  const start = Math.ceil(from / b) * b;
  const svc = 'tcp:192.0.2.100:80';
  const series: HistoryResponse['series'] = Array.from({ length: REAL_SERVERS }, (_, j) => ({
    cluster: 'bench',
    service: svc,
    realServer: `198.51.100.${j + 1}:80`,
    points: Array.from({ length: Math.floor((now - start) / b) }, (_, i) => {
      const t = start + i * b;
      const v = 40 + 30 * Math.sin(t / 3_600_000 + j) + (i % 7);
      return { t, activeConns: v, inactiveConns: v * 3, cps: v / 10, inPps: v * 8, outPps: v * 7, inBps: v * 4000, outBps: v * 90000, spanMs: b };
    }),
  }));
  return { from, to: now, resolutionMs: b, series };
}

function markers(now: number): ChartMarker[] {
  const kinds: MarkerKind[] = ['failover', 'no-master', 'keepalived', 'real-server', 'drift-repair', 'operator'];
  return Array.from({ length: 12 }, (_, i) => {
    const at = now - RANGE_MS + ((i + 1) * RANGE_MS) / 13;
    const kind = kinds[i % kinds.length]!;
    return { key: `m${i}`, kind, at, endAt: kind === 'no-master' ? at + 90_000 : null, label: `${kind} ${i}`, href: `/clusters/bench/events#e${i}` };
  });
}

export async function run(ctx: BenchContext): Promise<BenchRow[]> {
  const out = path.join(ctx.workDir, 'chart');
  fs.rmSync(out, { recursive: true, force: true });
  await build({
    entryPoints: [path.join(__dirname, 'chart', 'harness.tsx')],
    bundle: true,
    outdir: out,
    format: 'iife',
    platform: 'browser',
    jsx: 'automatic',
    minify: true,
    define: { 'process.env.NODE_ENV': '"production"' },
    tsconfig: path.join(ctx.root, 'tsconfig.json'),
    logLevel: 'error',
  });
  fs.writeFileSync(path.join(out, 'index.html'), '<!doctype html><html><head><meta charset="utf-8"><link rel="stylesheet" href="harness.css"></head><body><div id="root"></div><script src="harness.js"></script></body></html>');
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`file://${path.join(out, 'index.html')}`);
    const now = Date.now();
    const h = history(now);
    const m = markers(now);
    const points = h.series.reduce((n, s) => n + s.points.length, 0);
    const consoleMs: number[] = [];
    const bareMs: number[] = [];
    for (let i = 0; i < WARMUP + RUNS; i++) {
      // Alternate, so both meet the same state of the browser.
      const c = await page.evaluate(([hh, mm]) => window.renderConsole(hh, mm), [h, m] as const);
      const b = await page.evaluate((hh) => window.renderBare(hh), h);
      if (i >= WARMUP) {
        consoleMs.push(c);
        bareMs.push(b);
      }
    }
    if (errors.length > 0) throw new Error(`page errors: ${errors.join('; ')}`);
    const p50 = pct(consoleMs, 50);
    const bare = pct(bareMs, 50);
    return [
      {
        group: 'chart',
        name: `24 h of a ${REAL_SERVERS}-real-server service, stacked, ${m.length} markers: render p50`,
        value: p50,
        unit: 'ms',
        baseline: { name: 'bare uPlot, same history', value: bare, unit: 'ms' },
        target: '<= 1.5x bare uPlot',
        met: p50 <= 1.5 * bare,
        note: `p95 ${pct(consoleMs, 95).toFixed(1)} ms (bare ${pct(bareMs, 95).toFixed(1)}); ${points.toLocaleString('en')} points; chromium, production React`,
      },
    ];
  } finally {
    await browser.close();
  }
}

runIfMain(import.meta.url, run, { needsLab: false });
