import 'server-only';
import { getRuntime } from './runtime';

/** Creates the runtime at start-up; a bad configuration stops the process with its message. */
export function startServer(): void {
  try {
    getRuntime();
  } catch (e) {
    console.error(`lvs-console: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  }
}
