#!/usr/bin/env node
// The package's `lvsctl` bin: runs bin/lvsctl.ts through tsx, so no build step is needed.
// The project is CommonJS-typed (no "type": "module"), so .ts files load through require():
// register tsx's CommonJS hook as well as its ESM loader.
import { register } from 'tsx/esm/api';
import { register as registerCjs } from 'tsx/cjs/api';
import { fileURLToPath } from 'node:url';

const tsconfig = fileURLToPath(new URL('../tsconfig.json', import.meta.url));
register({ tsconfig });
registerCjs({ tsconfig });
const mod = await import('./lvsctl.ts');
// Loaded as CommonJS, so the exports may only be on `default`.
const main = mod.main ?? mod.default.main;
try {
  process.exitCode = await main(process.argv.slice(2));
} catch (e) {
  process.stderr.write(`lvsctl: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exitCode = 1;
}
