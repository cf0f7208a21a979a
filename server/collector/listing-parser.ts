import 'server-only';
import os from 'node:os';
import { Worker } from 'node:worker_threads';
import type { IpvsTable } from '@/lib/models/ipvsadm';
import type { KeepalivedData } from '@/lib/models/keepalived';
import { parseIpvsadm } from '@/server/parsers/ipvsadm';
import { parseKeepalivedData } from '@/server/parsers/keepalived-data';
import { fromWireError, mergeListModes, type ListingOutputs, type ParseJob, type WireError } from './parse-listings';

// A refresh of a large director brings four `ipvsadm` listings of megabytes each (and now and then
// keepalived's dump of as many real servers); parsing them is most of the collector's CPU
// (docs/scale.md). In the server they are parsed in worker threads, so
// the main thread stays free for page and API requests; tests and scripts parse inline.

export interface ListingParser {
  /** The ipvsadm listings of a refresh, combined (parse-listings.ts). */
  parse: (outputs: ListingOutputs) => Promise<IpvsTable>;
  /** keepalived's SIGUSR1 dump (/tmp/keepalived.data + keepalived_check.data). */
  parseKeepalived: (text: string) => Promise<KeepalivedData>;
  close: () => Promise<void>;
}

/** Parses on the calling thread, one listing per turn of the event loop (requests are served between). */
export function inlineListingParser(): ListingParser {
  return {
    parse: async (o) => {
      const turn = () => new Promise((r) => setImmediate(r));
      const persistent = parseIpvsadm(o.persistent, { mode: 'persistent-conn' });
      await turn();
      const stats = parseIpvsadm(o.stats, { mode: 'stats' });
      await turn();
      const list = o.list === undefined ? null : parseIpvsadm(o.list, { mode: 'list' });
      if (list) await turn();
      const rate = o.rate === undefined ? null : parseIpvsadm(o.rate, { mode: 'rate' });
      if (rate) await turn();
      return mergeListModes(persistent, stats, list, rate, { inPlace: true });
    },
    parseKeepalived: (text) => Promise.resolve().then(() => parseKeepalivedData(text)),
    close: () => Promise.resolve(),
  };
}

type Reply = { ready: true } | { id: number; json: string } | { id: number; error: WireError };

interface Job {
  job: ParseJob;
  resolve: (result: unknown) => void;
  reject: (e: Error) => void;
}

interface Slot {
  worker: Worker;
  ready: boolean;
  pending: Map<number, Job>;
}

/**
 * Threads for a pool: one fewer than the CPUs (the main thread keeps one), at most 4; 0 on a
 * single CPU, where a thread would only add the cost of handing the result over.
 */
export function defaultListingThreads(cpus = os.availableParallelism()): number {
  return Math.max(0, Math.min(4, cpus - 1));
}

/** The server's parser: worker threads where there is a CPU to spare, else inline. */
export function serverListingParser(threads = defaultListingThreads()): ListingParser {
  return threads > 0 ? workerListingParser(threads) : inlineListingParser();
}

/**
 * Parses in worker threads (round robin). A worker that dies fails only the parses it had in
 * hand (those refreshes show an error, as any failed refresh does) and is replaced on next use.
 * A worker that cannot even load (a build without its entry) turns the pool into inline parsing,
 * said once on stderr: slower under load, never wrong.
 */
export function workerListingParser(threads: number, entry?: URL): ListingParser {
  if (!(threads >= 1)) throw new RangeError('a listing parser pool needs at least one thread');
  const slots: Array<Slot | null> = Array.from({ length: threads }, () => null);
  const inline = inlineListingParser();
  let fallback = false;
  let next = 0;
  let seq = 0;
  let closed = false;

  const spawn = (i: number): Slot => {
    // `new Worker(new URL('./listing-worker.ts', import.meta.url))` is the form the bundler
    // (Turbopack) recognises and builds as the thread's own entry; tests pass their own entry.
    const worker = entry ? new Worker(entry) : new Worker(new URL('./listing-worker.ts', import.meta.url));
    worker.unref();
    const slot: Slot = { worker, ready: false, pending: new Map() };
    const failAll = (e: Error) => {
      if (slots[i] === slot) slots[i] = null;
      const jobs = [...slot.pending.values()];
      slot.pending.clear();
      if (!slot.ready && !closed) {
        if (!fallback) console.error(`[collector] listing parser threads unavailable, parsing on the main thread: ${e.message}`);
        fallback = true;
        for (const j of jobs) runInline(j.job).then(j.resolve, j.reject);
      } else {
        for (const j of jobs) j.reject(e);
      }
    };
    worker.on('message', (m: Reply) => {
      if ('ready' in m) {
        slot.ready = true;
        return;
      }
      const p = slot.pending.get(m.id);
      if (!p) return;
      slot.pending.delete(m.id);
      if ('json' in m) p.resolve(JSON.parse(m.json));
      else p.reject(fromWireError(m.error));
      if (slot.pending.size === 0) worker.unref();
    });
    worker.on('error', (e) => failAll(new Error(`listing parser thread failed: ${e.message}`)));
    worker.on('exit', (code) => failAll(new Error(`listing parser thread exited (code ${code})`)));
    return slot;
  };

  const runInline = (job: ParseJob): Promise<unknown> => (job.kind === 'listings' ? inline.parse(job.outputs) : inline.parseKeepalived(job.text));
  const run = (job: ParseJob): Promise<unknown> => {
    if (closed) return Promise.reject(new Error('listing parser closed'));
    if (fallback) return runInline(job);
    const i = next++ % threads;
    const slot = slots[i] ?? (slots[i] = spawn(i));
    const id = ++seq;
    return new Promise((resolve, reject) => {
      slot.pending.set(id, { job, resolve, reject });
      // Keep the process alive while a parse is in hand (an idle pool never holds it open).
      slot.worker.ref();
      slot.worker.postMessage({ id, job });
    });
  };

  return {
    parse: (outputs) => run({ kind: 'listings', outputs }) as Promise<IpvsTable>,
    parseKeepalived: (text) => run({ kind: 'keepalived', text }) as Promise<KeepalivedData>,
    close: async () => {
      closed = true;
      await Promise.all(slots.flatMap((s) => (s ? [s.worker.terminate()] : [])));
    },
  };
}
