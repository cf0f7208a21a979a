// Worker thread entry: parses a director's ipvsadm listings and keepalived dump off the server's
// main thread, so page and API requests are not queued behind megabytes of parsing
// (listing-parser.ts starts it).
import { parentPort } from 'node:worker_threads';
import { parseKeepalivedData } from '@/server/parsers/keepalived-data';
import { parseListings, toWireError, type ParseJob } from './parse-listings';

export interface ParseRequest {
  id: number;
  job: ParseJob;
}

const port = parentPort;
if (port) {
  port.on('message', (m: ParseRequest) => {
    try {
      const result = m.job.kind === 'listings' ? parseListings(m.job.outputs) : parseKeepalivedData(m.job.text);
      // As JSON text: a flat string crosses threads as one copy, and JSON.parse on the main thread
      // costs about half of rebuilding the structured clone of 20,000 real servers.
      port.postMessage({ id: m.id, json: JSON.stringify(result) });
    } catch (e) {
      port.postMessage({ id: m.id, error: toWireError(e) });
    }
  });
  // Loaded: the pool sends work only to a thread that got this far.
  port.postMessage({ ready: true });
}
