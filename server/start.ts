import 'server-only';
import { getRuntime } from './runtime';

/** Creates the runtime at start-up; a bad configuration stops the process with its message. */
export function startServer(): void {
  try {
    const rt = getRuntime();
    // bin/next-server.mjs exits on SIGTERM/SIGINT: what the audit log still holds in memory is written first.
    process.once('exit', () => rt.flushAudit());
  } catch (e) {
    console.error(`lvs-console: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  }
}
