// Writes the e2e console configuration: the lab's (lab/.state/console.yaml) on its own port and
// state directory, plus the e2e accounts with password hashes made now.
// usage: npx tsx e2e/write-config.ts PORT STATE_DIR OUT_FILE
import '../bin/server-only-shim';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { hashPassword } from '../server/auth/password';
import { E2E_USERS } from './users';

async function main(): Promise<void> {
  const [port, stateDir, out] = process.argv.slice(2);
  if (!port || !stateDir || !out) throw new Error('usage: write-config.ts PORT STATE_DIR OUT_FILE');
  const lab = YAML.parse(fs.readFileSync(path.join(__dirname, '..', 'lab', '.state', 'console.yaml'), 'utf8')) as Record<string, unknown>;
  const users = await Promise.all(Object.values(E2E_USERS).map(async (u) => ({ name: u.name, role: u.role, passwordHash: await hashPassword(u.password) })));
  // A webhook to the run's receiver on loopback (e2e/webhook-receiver.mjs); the random path stands for the
  // secret a real webhook URL carries (secrets.spec checks it never leaves the server).
  const hookPort = Number(process.env.LVS_E2E_WEBHOOK_PORT ?? 3199);
  const webhooks = [{ name: 'e2e', url: `http://127.0.0.1:${hookPort}/e2e-hook/${randomBytes(12).toString('hex')}`, events: ['failover', 'split-brain', 'no-master'], attempts: 3, timeoutMs: 2000 }];
  // A second cluster, "staging", so the attack suite (e2e/attacks.spec.ts) has another cluster to be
  // limited to: one director on a loopback port nothing listens on (refused at once, shown down).
  const labClusters = lab.clusters as { directors: { privateKeyPath: string }[] }[];
  const staging = {
    name: 'staging',
    directors: [{ name: 'stg1', host: '127.0.0.1', port: 9, user: 'lvsconsole', privateKeyPath: labClusters[0]?.directors[0]?.privateKeyPath, hostKey: `SHA256:${'A'.repeat(43)}`, sudo: true }],
  };
  const config = { ...lab, clusters: [...labClusters, staging], listen: { host: '127.0.0.1', port: Number(port) }, stateDir, auth: { users }, webhooks };
  fs.writeFileSync(out, `# Written by e2e/write-config.ts for the e2e run.\n${YAML.stringify(config)}`, { mode: 0o600 });
}

main().catch((e: unknown) => {
  console.error(`write-config: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
