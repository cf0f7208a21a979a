import 'server-only';
import type { AuditLog } from '@/server/audit/log';
import type { AuthConfig } from '@/server/config/schema';
import type { Db } from '@/server/db';
import { getRuntime } from '@/server/runtime';
import { FailureRateLimiter } from './rate-limit';
import { AuthStore } from './store';

// Access control's process-wide parts: the configuration, the store, the failed-login limiter and
// the audit log. Kept beside the runtime (not in it) and created on first use.

export interface AuthService {
  config: AuthConfig;
  store: AuthStore;
  limiter: FailureRateLimiter;
  audit: AuditLog;
  now: () => number;
}

export function createAuthService(config: AuthConfig, db: Db, audit: AuditLog, now: () => number = () => Date.now()): AuthService {
  return {
    config,
    store: new AuthStore(db, now),
    limiter: new FailureRateLimiter({ limit: config.loginAttemptsPerMinute, windowMs: 60_000, now }),
    audit,
    now,
  };
}

const KEY = Symbol.for('lvs-console.auth');
type Holder = { [KEY]?: AuthService };

export function getAuth(): AuthService {
  const g = globalThis as Holder;
  if (!g[KEY]) {
    const rt = getRuntime();
    g[KEY] = createAuthService(rt.config.auth, rt.db, rt.audit);
  }
  return g[KEY];
}

/** Role and clusters of an account now (config accounts first), or null when it no longer exists. */
export function findAccount(svc: AuthService, name: string): { name: string; role: AuthConfig['users'][number]['role']; clusters: string[] | null; passwordHash: string } | null {
  const fromConfig = svc.config.users.find((u) => u.name === name);
  if (fromConfig) return { name, role: fromConfig.role, clusters: fromConfig.clusters ?? null, passwordHash: fromConfig.passwordHash };
  const stored = svc.store.getUser(name);
  return stored ? { name, role: stored.role, clusters: stored.clusters, passwordHash: stored.passwordHash } : null;
}
