// Next.js calls register() once per server process: start the collector there, so data is
// fresh before the first page is opened. Node runtime only (ssh2 and SQLite are Node modules).
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME === 'nodejs') {
    const { startServer } = await import('./server/start');
    startServer();
  }
}
