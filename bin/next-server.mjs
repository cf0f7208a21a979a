// The console's HTTP server: Next.js behind a plain Node http server (started by bin/serve.ts),
// so that every request carries the TCP peer's address in x-lvs-peer with a stamp only this
// process can make (server/auth/peer-stamp.mjs: HMAC under a per-process random secret), after
// every internal header the client sent (x-lvs-*, x-nonce, x-middleware-subrequest) is dropped.
// `next start` would hand route handlers only X-Forwarded-For, which any client can forge;
// access control (server/auth/authenticate.ts) trusts forwarded headers only when the stamped
// peer is a configured trusted proxy, and under `next start` (no stamp) trusts no peer at all.
// usage: node bin/next-server.mjs HOST PORT [dev]
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import nextModule from 'next';
import { installPeerSecret, stampRequest } from '../server/auth/peer-stamp.mjs';

const [host = '127.0.0.1', portText = '3000', mode] = process.argv.slice(2);
const port = Number(portText);
const dev = mode === 'dev';
// The secret exists before Next.js loads the app, which finds it in this process's globalThis.
installPeerSecret();
const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
/** @type {typeof import('next').default} */
const createNext = /** @type {any} */ (nextModule).default ?? nextModule;
const app = createNext({ dev, dir, hostname: host, port });
const handle = app.getRequestHandler();
await app.prepare();

/** @param {http.IncomingMessage} req */
function markPeer(req) {
  stampRequest(req, req.socket.remoteAddress);
}

const server = http.createServer((req, res) => {
  markPeer(req);
  handle(req, res).catch((e) => {
    console.error('[server] request failed', e);
    if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
    res.end('internal error');
  });
});
if (dev && typeof app.getUpgradeHandler === 'function') {
  const upgrade = app.getUpgradeHandler();
  server.on('upgrade', (req, socket, head) => {
    markPeer(req);
    void upgrade(req, socket, head);
  });
}
server.listen(port, host);
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => server.close(() => process.exit(0)));
