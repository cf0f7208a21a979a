// Next.js calls register() once per server process: start the collector there, so data is
// fresh before the first page is opened. Node runtime only (ssh2 and SQLite are Node modules).
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== 'nodejs') return;
  if (process.env.LVS_CONSOLE_NO_COLLECTOR === '1') return;
  const { getRuntime } = await import('@/server/runtime');
  try {
    getRuntime();
  } catch (e) {
    // A bad configuration must stop start-up with its message, not limp on.
    console.error(`lvs-console: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  }
}
