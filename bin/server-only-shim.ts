// lvsctl runs server modules (database, audit log, auth store) outside Next.js. They import
// 'server-only', which throws outside a React Server bundle; in this CLI process that is allowed,
// so register an empty module in its place before anything else loads. Import this first.
import { createRequire } from 'node:module';

const req = createRequire(__filename);
const id = req.resolve('server-only');
req.cache[id] = Object.assign(Object.create(null) as NodeJS.Module, { id, filename: id, loaded: true, exports: {}, children: [], paths: [] });
