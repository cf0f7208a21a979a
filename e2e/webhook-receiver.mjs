// The e2e run's webhook receiver on loopback (a Playwright webServer, up for the whole run): the
// console's configured webhook (e2e/write-config.ts) posts here, so deliveries succeed instead of
// retrying into a closed port. POSTs are kept in memory; GET /__received answers them as JSON
// (newest last), GET /__health says it is up. Usage: node e2e/webhook-receiver.mjs PORT
import http from 'node:http';

const port = Number(process.argv[2]);
if (!Number.isInteger(port) || port < 1 || port > 65535) {
  console.error('usage: node e2e/webhook-receiver.mjs PORT');
  process.exit(2);
}
const received = [];
http
  .createServer((req, res) => {
    if (req.method === 'GET' && req.url === '/__health') return res.end('ok');
    if (req.method === 'GET' && req.url === '/__received') {
      res.setHeader('content-type', 'application/json');
      return res.end(JSON.stringify(received));
    }
    let data = '';
    req.on('data', (c) => (data += c.toString()));
    req.on('end', () => {
      let body;
      try {
        body = JSON.parse(data);
      } catch {
        body = { text: data };
      }
      received.push({ path: req.url, body, at: Date.now() });
      if (received.length > 5000) received.shift();
      res.end('ok');
    });
  })
  .listen(port, '127.0.0.1');
