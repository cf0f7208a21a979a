import 'server-only';
import type { AuditLog } from '@/server/audit/log';
import type { AuthConfig } from '@/server/config/schema';
import type { Db } from '@/server/db';
import { FailureRateLimiter } from './rate-limit';
import { AuthStore } from './store';

// Access control's process-wide parts: the configuration, the store, the failed-login limiter and
// the audit log. The runtime (server/runtime.ts) builds the one the routes use (getAuth).

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

/** Role and clusters of an account now (config accounts first), or null when it no longer exists. */
export function findAccount(svc: AuthService, name: string): { name: string; role: AuthConfig['users'][number]['role']; clusters: string[] | null; passwordHash: string } | null {
  const fromConfig = svc.config.users.find((u) => u.name === name);
  if (fromConfig) return { name, role: fromConfig.role, clusters: fromConfig.clusters ?? null, passwordHash: fromConfig.passwordHash };
  const stored = svc.store.getUser(name);
  return stored ? { name, role: stored.role, clusters: stored.clusters, passwordHash: stored.passwordHash } : null;
}
