import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import type { z } from 'zod';
import { ConsoleConfig, webhookUrlProblem } from './schema';

// The one place that reads the environment, so every setting is validated and documented here. No "server-only" here: the CLI and
// bin/serve.ts load the configuration too. The config file is found through
// LVS_CONSOLE_CONFIG (default ./lvs-console.yaml); it is parsed and validated once.

export const DEFAULT_CONFIG_PATH = './lvs-console.yaml';

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** "clusters[0].directors[1].hostKey: pin the host key ..." for every issue. */
export function describeIssues(issues: readonly z.core.$ZodIssue[]): string {
  return issues
    .map((i) => {
      const where = i.path.reduce<string>(
        (acc, p) => (typeof p === 'number' ? `${acc}[${p}]` : acc ? `${acc}.${String(p)}` : String(p)),
        '',
      );
      if (i.code === 'unrecognized_keys') {
        const keys = i.keys.map((k) => (where ? `${where}.${k}` : k)).join(', ');
        return `unknown key ${keys}`;
      }
      return `${where || '(top level)'}: ${i.message}`;
    })
    .join('\n');
}

export function parseConfigText(text: string, source: string): ConsoleConfig {
  let raw: unknown;
  try {
    raw = source.endsWith('.json') ? JSON.parse(text) : YAML.parse(text);
  } catch (e) {
    throw new ConfigError(`${source}: not valid ${source.endsWith('.json') ? 'JSON' : 'YAML'}: ${e instanceof Error ? e.message : String(e)}`);
  }
  const r = ConsoleConfig.safeParse(raw);
  if (!r.success) throw new ConfigError(`${source}: invalid configuration:\n${describeIssues(r.error.issues)}`);
  const cfg = r.data;
  // Relative paths are relative to the config file, not to wherever the server was started.
  const base = path.dirname(path.resolve(source));
  const abs = (p: string) => (path.isAbsolute(p) ? p : path.resolve(base, p));
  return {
    ...cfg,
    stateDir: abs(cfg.stateDir),
    store: cfg.store.kind === 'postgres' ? { ...cfg.store, url: postgresUrl(resolveSecret(cfg.store.url, 'store.url') ?? '', source) } : cfg.store,
    metrics: { ...cfg.metrics, token: resolveSecret(cfg.metrics.token, 'metrics.token') },
    // The audit key's value (never logged); keyFile relative to the config file like other paths.
    audit: { ...cfg.audit, key: resolveSecret(cfg.audit.key, 'audit.key'), keyFile: cfg.audit.keyFile === undefined ? undefined : abs(cfg.audit.keyFile) },
    webhooks: cfg.webhooks.map((w, i) => {
      const url = resolveSecret(w.url, `webhooks[${i}] (${w.name}) url`) ?? w.url;
      const problem = webhookUrlProblem(url);
      // The message names the webhook, never the URL (a secret).
      if (problem || url.startsWith('env:')) throw new ConfigError(`${source}: invalid configuration:\nwebhooks[${i}].url: must be ${problem ?? 'an http:// or https:// URL'} (webhook ${w.name})`);
      return { ...w, url };
    }),
    clusters: cfg.clusters.map((c) => ({
      ...c,
      directors: c.directors.map((d) => resolveSshTarget(d, `${c.name}/${d.name}`, abs)),
      realServerHosts: c.realServerHosts.map((h) => resolveSshTarget(h, `${c.name}/realServerHosts/${h.name}`, abs)),
    })),
  };
}

interface SshTargetFiles {
  privateKeyPath?: string | undefined;
  knownHostsPath?: string | undefined;
  passphrase?: string | undefined;
  jumpHost?: { privateKeyPath?: string | undefined; knownHostsPath?: string | undefined } | undefined;
}

/**
 * The one code path for everything the console SSHes into (directors and real-server hosts, and
 * their jump hosts): key and known_hosts paths relative to the config file, `passphrase: env:NAME`
 * read from the environment.
 */
function resolveSshTarget<T extends SshTargetFiles>(t: T, what: string, abs: (p: string) => string): T {
  const file = (p: string | undefined) => (p === undefined ? undefined : abs(p));
  const out: T = { ...t, privateKeyPath: file(t.privateKeyPath), knownHostsPath: file(t.knownHostsPath) };
  if (t.passphrase !== undefined) out.passphrase = resolveSecret(t.passphrase, `${what} passphrase`);
  if (t.jumpHost !== undefined) out.jumpHost = { ...t.jumpHost, privateKeyPath: file(t.jumpHost.privateKeyPath), knownHostsPath: file(t.jumpHost.knownHostsPath) };
  return out;
}

/** The store's URL from the environment: postgres:// or postgresql://, said plainly (never echoed: it holds the password). */
function postgresUrl(url: string, source: string): string {
  if (!/^postgres(ql)?:\/\/\S*$/.test(url)) throw new ConfigError(`${source}: invalid configuration:\nstore.url: the environment variable must hold a postgresql:// URL`);
  return url;
}

/** "env:NAME" reads the secret from the environment, so it need not sit in the file. */
function resolveSecret(v: string | undefined, what: string): string | undefined {
  if (v === undefined || !v.startsWith('env:')) return v;
  const name = v.slice(4);
  const val = process.env[name];
  if (val === undefined) throw new ConfigError(`${what}: environment variable ${name} is not set`);
  return val;
}

export interface Environment {
  configPath: string;
  sshAuthSock: string | undefined;
  /** Running inside the Next.js server (set by Next.js): its build bundles the worker threads' entries. */
  inNextServer: boolean;
}

export function readEnvironment(): Environment {
  return {
    configPath: process.env.LVS_CONSOLE_CONFIG ?? DEFAULT_CONFIG_PATH,
    sshAuthSock: process.env.SSH_AUTH_SOCK,
    inNextServer: process.env.NEXT_RUNTIME === 'nodejs',
  };
}

export function loadConfigFile(file: string): ConsoleConfig {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new ConfigError(
      code === 'ENOENT'
        ? `configuration file ${file} does not exist (set LVS_CONSOLE_CONFIG, or run "npm run lab:up" to write one for the lab)`
        : `cannot read configuration file ${file}: ${String(e)}`,
    );
  }
  return parseConfigText(text, file);
}

let cached: ConsoleConfig | undefined;

/** The validated configuration of this process (loaded on first use). */
export function getConfig(): ConsoleConfig {
  cached ??= loadConfigFile(readEnvironment().configPath);
  return cached;
}
