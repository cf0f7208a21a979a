// Starts Next.js on the address the configuration names (listen.host / listen.port).
// `npm start` serves the production build; `npm run dev` (with --dev) the dev server.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { formatEndpoint } from '../lib/address';
import { ConfigError, loadConfigFile, readEnvironment } from '../server/config/load';

const dev = process.argv.includes('--dev');
const env = readEnvironment();
let listen: { host: string; port: number };
try {
  listen = loadConfigFile(env.configPath).listen;
} catch (e) {
  console.error(`lvs-console: ${e instanceof ConfigError ? e.message : String(e)}`);
  process.exit(2);
}
// Next.js runs in bin/next-server.mjs (plain node, a custom server that records each request's peer address).
const args = [path.join(__dirname, 'next-server.mjs'), listen.host, String(listen.port), ...(dev ? ['dev'] : [])];
console.log(`lvs-console: ${dev ? 'dev' : 'production'} server on http://${formatEndpoint(listen.host, listen.port)}/ (config ${path.resolve(env.configPath)})`);
const child = spawn(process.execPath, args, {
  stdio: 'inherit',
  env: { ...process.env, NODE_ENV: dev ? 'development' : 'production', LVS_CONSOLE_CONFIG: path.resolve(env.configPath) },
});
for (const sig of ['SIGINT', 'SIGTERM'] as const) process.on(sig, () => child.kill(sig));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
