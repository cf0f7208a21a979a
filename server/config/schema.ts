import { MetricsConfig } from './metrics-schema';
import { z } from 'zod';
import { EventKind } from '@/lib/models/events';
import { HaproxySocketPath } from '@/lib/models/haproxy';

// The console's one configuration file (YAML or JSON), validated once at start-up.
// `.strict()` everywhere: an unknown key is a typo, and a typo must stop start-up.

const Hostname = z
  .string()
  .min(1)
  .max(253)
  .regex(/^[A-Za-z0-9.:_-]+$/, 'a hostname or IP address (letters, digits, . : _ -)');

const Name = z
  .string()
  .min(1)
  .max(63)
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'letters, digits, _ . - (starting with a letter or digit)');

/** The capacity floor's words for a share out of range. */
const SHARE = 'a share of the weight from 0 to 1 (0.6 = 60 %)';

/** OpenSSH-style SHA256 fingerprint, e.g. "SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU". */
export const HostKeyFingerprint = z
  .string()
  .regex(/^SHA256:[A-Za-z0-9+/]{43}=?$/, 'an OpenSSH SHA256 fingerprint like "SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU"');

export const JumpHostConfig = z
  .object({
    host: Hostname,
    port: z.number().int().min(1).max(65535).default(22),
    user: z.string().min(1).max(32),
    privateKeyPath: z.string().min(1).optional(),
    agent: z.boolean().default(false),
    hostKey: HostKeyFingerprint.optional(),
    knownHostsPath: z.string().min(1).optional(),
  })
  .strict();

/** How the console logs in over SSH: the fields a director and a real-server host share. */
const SshLogin = {
  host: Hostname,
  port: z.number().int().min(1).max(65535).default(22),
  user: z.string().min(1).max(32).regex(/^[a-z_][a-z0-9_-]*$/, 'a Unix user name'),
  /** Private key file on the console's host. Either this or `agent: true`. */
  privateKeyPath: z.string().min(1).optional(),
  /** Passphrase for the private key; prefer an environment reference: "env:NAME". */
  passphrase: z.string().optional(),
  /** Use the ssh-agent at $SSH_AUTH_SOCK. */
  agent: z.boolean().default(false),
  /** Pinned host key fingerprint. Either this or `knownHostsPath`; there is no accept-anything mode. */
  hostKey: HostKeyFingerprint.optional(),
  knownHostsPath: z.string().min(1).optional(),
};

type SshLoginFields = { privateKeyPath?: string | undefined; agent: boolean; hostKey?: string | undefined; knownHostsPath?: string | undefined };

/** A key or the agent, and a pinned host key: required of every SSH login. */
function sshLoginChecked<T extends z.ZodType<SshLoginFields>>(schema: T): T {
  return schema
    .refine((d) => d.privateKeyPath !== undefined || d.agent, {
      message: 'set privateKeyPath or agent: true',
      path: ['privateKeyPath'],
    })
    .refine((d) => d.hostKey !== undefined || d.knownHostsPath !== undefined, {
      message: 'pin the host key: set hostKey (SHA256 fingerprint) or knownHostsPath',
      path: ['hostKey'],
    });
}

export const KeepalivedLogSource = z.union([
  z.object({ file: z.string().startsWith('/') }).strict(),
  z.object({ journald: z.object({ unit: z.string().default('keepalived') }).strict() }).strict(),
]);

export const DirectorConfig = sshLoginChecked(
  z
    .object({
      name: Name,
      ...SshLogin,
      /** Prefix privileged commands with `sudo -n` (for a non-root user). */
      sudo: z.boolean().default(false),
      jumpHost: JumpHostConfig.optional(),
      keepalivedLog: KeepalivedLogSource.default({ journald: { unit: 'keepalived' } }),
    })
    .strict(),
);
/**
 * A director as the SSH layer takes it. `cluster` is never written in the file: the schema stamps
 * the enclosing cluster's name (ClusterConfig), so the SSH pool keeps `lb1` of `prod` and `lb1` of
 * `staging` apart. Absent only where a director is built by hand (tests, tools with one cluster).
 */
export type DirectorConfig = z.infer<typeof DirectorConfig> & { cluster?: string };

/** An HAProxy instance beside LVS, reached over one director's SSH, through its admin socket. */
export const HaproxyInstanceConfig = z
  .object({
    name: Name,
    /** The director (of this cluster) whose SSH connection reaches the HAProxy host. */
    director: Name,
    /** HAProxy's admin socket (`stats socket ... level admin`); the SSH user needs read/write on it. */
    socket: z._default(HaproxySocketPath, '/run/haproxy/admin.sock'),
  })
  .strict();
export type HaproxyInstanceConfig = z.infer<typeof HaproxyInstanceConfig>;

/**
 * A real server reached over SSH for "check this cluster" (read-only: ip addr, ip route, sysctls;
 * no sudo). `addresses` are the real-server addresses IPVS uses for it.
 */
export const RealServerHostConfig = sshLoginChecked(
  z
    .object({
      name: Name,
      addresses: z.array(z.string().min(2).max(45).regex(/^[0-9A-Fa-f:.]+$/, 'an IP address')).min(1),
      ...SshLogin,
      jumpHost: JumpHostConfig.optional(),
    })
    .strict(),
);
export type RealServerHostConfig = z.infer<typeof RealServerHostConfig>;

export const ClusterConfig = z
  .object({
    name: Name,
    directors: z.array(DirectorConfig).min(1),
    /** Real servers the diagnostics may read over SSH (optional). */
    realServerHosts: z.array(RealServerHostConfig).default([]),
    /** HAProxy pools beside this cluster (the same view and drain, through HAProxy's runtime API). */
    haproxy: z.array(HaproxyInstanceConfig).default([]),
    /** This cluster's own capacity floor (overrides drain.minServingShare). */
    drain: z.object({ minServingShare: z.number().min(0, SHARE).max(1, SHARE) }).strict().optional(),
  })
  .strict()
  // Each director carries its cluster's name: director names are unique only within a cluster.
  .transform((c) => ({ ...c, directors: c.directors.map((d) => ({ ...d, cluster: c.name })) }));
export type ClusterConfig = z.infer<typeof ClusterConfig>;

export const SshTuning = z
  .object({
    connectTimeoutMs: z.number().int().min(100).max(120_000).default(10_000),
    commandTimeoutMs: z.number().int().min(100).max(600_000).default(15_000),
    keepaliveIntervalMs: z.number().int().min(0).max(600_000).default(10_000),
    maxChannelsPerDirector: z.number().int().min(1).max(64).default(6),
    reconnectMinMs: z.number().int().min(10).default(500),
    reconnectMaxMs: z.number().int().min(10).default(30_000),
    /**
     * zlib compression on the directors' SSH connections: for directors behind a slow or metered
     * link. The listings shrink to about a quarter on the wire (padded columns deflate; counters less); each director's sshd spends CPU to deflate them.
     */
    compress: z.boolean().default(false),
  })
  .strict();
export type SshTuning = z.infer<typeof SshTuning>;

const AuthRole = z.enum(['viewer', 'operator', 'admin']);

/** A password hash as `lvsctl user hash` prints it: scrypt$N$r$p$salt$hash (base64url). */
export const PasswordHash = z
  .string()
  .regex(/^scrypt\$\d+\$\d+\$\d+\$[A-Za-z0-9_-]+\$[A-Za-z0-9_-]+$/, 'a hash printed by `lvsctl user hash` (scrypt$N$r$p$salt$hash), never the password itself');

/** A role, on every cluster or only on `clusters`: what an account or a proxy group is given. */
const RoleGrant = {
  role: AuthRole,
  /** Limit the role to these clusters (default: every cluster). */
  clusters: z.array(Name).min(1).optional(),
};

export const AuthUserConfig = z
  .object({
    name: Name,
    passwordHash: PasswordHash,
    ...RoleGrant,
  })
  .strict();
export type AuthUserConfig = z.infer<typeof AuthUserConfig>;

/** What one proxy group grants: a role, on every cluster or only on `clusters`. */
export const ProxyGroupGrant = z.object(RoleGrant).strict();
export type ProxyGroupGrant = z.infer<typeof ProxyGroupGrant>;


/**
 * Single sign-on through a trusted reverse proxy. The proxy must set (overwrite) the user, role and
 * groups headers on every request: whatever a client sends in them is believed from the proxy.
 */
export const ProxyAuthConfig = z
  .object({
    userHeader: z.string().min(1).default('x-forwarded-user'),
    /** Header carrying the role; when absent or not a role, defaultRole applies. */
    roleHeader: z.string().min(1).optional(),
    /** Header carrying the user's groups (comma-separated), mapped to roles and clusters by `groups`. */
    groupsHeader: z.string().min(1).optional(),
    /** Group name -> { role, clusters? }. A user's role is the highest its groups grant (server/auth/proxy-groups.ts). */
    groups: z.record(z.string().min(1).max(256), ProxyGroupGrant).optional(),
    /** For a user without a (valid) role header or a mapped group; 'none' refuses them. Default: viewer, or none with groups. */
    defaultRole: z.enum(['viewer', 'operator', 'admin', 'none']).optional(),
  })
  .strict()
  .superRefine((p, ctx) => {
    if (p.groupsHeader !== undefined && p.roleHeader !== undefined) {
      ctx.addIssue({ code: 'custom', message: 'set roleHeader or groupsHeader, not both: with groups, the role comes from the groups map', path: ['roleHeader'] });
    }
    if (p.groupsHeader !== undefined && (p.groups === undefined || Object.keys(p.groups).length === 0)) {
      ctx.addIssue({ code: 'custom', message: 'groupsHeader needs groups: a map of group name to { role, clusters? }', path: ['groups'] });
    }
    for (const group of Object.keys(p.groups ?? {})) {
      if (group.includes(',') || group.trim() !== group) {
        ctx.addIssue({ code: 'custom', message: `group "${group}": give the name as the proxy sends it, without commas (the groups header is a comma-separated list) or surrounding spaces`, path: ['groups', group] });
      }
    }
    if (p.groups !== undefined && p.groupsHeader === undefined) {
      ctx.addIssue({ code: 'custom', message: 'groups needs groupsHeader: the header the proxy puts the user\'s groups in (e.g. x-forwarded-groups)', path: ['groupsHeader'] });
    }
  })
  .transform((p) => ({ ...p, defaultRole: p.defaultRole ?? (p.groups ? ('none' as const) : ('viewer' as const)) }));
export type ProxyAuthConfig = z.infer<typeof ProxyAuthConfig>;

export const AuthConfig = z
  .object({
    /** Local accounts (more can be added to the database with `lvsctl user add`). */
    users: z.array(AuthUserConfig).default([]),
    session: z
      .object({
        /** A session unused this long ends. */
        idleMinutes: z.number().int().min(1).max(7 * 24 * 60).default(60),
        /** A session ends this long after login, used or not. */
        absoluteHours: z.number().int().min(1).max(30 * 24).default(12),
      })
      .strict()
      .default({ idleMinutes: 60, absoluteHours: 12 }),
    /** Secure cookies: 'auto' = when the request came over HTTPS (directly or per a trusted proxy). */
    cookieSecure: z.union([z.literal('auto'), z.boolean()]).default('auto'),
    /** Addresses of reverse proxies whose X-Forwarded-For / -Proto (and proxy user header) are believed. */
    trustedProxies: z.array(z.string().min(1).regex(/^[0-9A-Fa-f.:]+$/, 'an IP address')).default([]),
    /** Single sign-on through a trusted reverse proxy (oauth2-proxy and the like). Needs trustedProxies. */
    proxyAuth: ProxyAuthConfig.optional(),
    /** API tokens expire after at most this many days (also the default when none is asked for). */
    tokenMaxDays: z.number().int().min(1).max(3650).default(365),
    /** Failed logins allowed per minute, per source address and per user name; then 429. */
    loginAttemptsPerMinute: z.number().int().min(1).max(1000).default(5),
  })
  .strict()
  .refine((a) => a.proxyAuth === undefined || a.trustedProxies.length > 0, {
    message: 'proxyAuth needs trustedProxies: the addresses the proxy connects from',
    path: ['proxyAuth'],
  });
export type AuthConfig = z.infer<typeof AuthConfig>;

/**
 * Where the console keeps its data: SQLite in stateDir (the default, one console), or PostgreSQL
 * (several consoles on one database, #16). The URL carries the password, so only "env:NAME"; TLS is
 * set in it as libpq's parameters (sslmode, sslrootcert, sslcert, sslkey), which pg honours.
 */
export const StoreConfig = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('sqlite') }).strict(),
  z
    .object({
      kind: z.literal('postgres'),
      url: z.string().regex(/^env:[A-Za-z_][A-Za-z0-9_]*$/, 'a reference to an environment variable holding the postgresql:// URL: "env:NAME"'),
      /** The schema the tables live in (created when missing); default the role's search_path. */
      schema: z
        .string()
        .regex(/^[a-z_][a-z0-9_]{0,62}$/, 'a lower-case SQL name (letters, digits, _)')
        .optional(),
      /** A statement taking longer is cancelled, and the store counted as unreachable. */
      queryTimeoutMs: z.number().int().min(500).max(120_000).default(10_000),
      /**
       * How long a console's lead of a cluster lasts without renewal (renewed every poll): a console
       * that dies or loses the database is replaced within this plus one poll interval.
       */
      leaseMs: z.number().int().min(2_000).max(600_000).default(10_000),
    })
    .strict(),
]);
export type StoreConfig = z.infer<typeof StoreConfig>;

/** An http(s) URL, or "env:NAME" (the URL, which usually embeds a secret, lives in the environment). */
export function webhookUrlProblem(url: string): string | null {
  if (/^env:[A-Za-z_][A-Za-z0-9_]*$/.test(url)) return null;
  if (url.startsWith('env:')) return 'env:NAME with a valid environment variable name';
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    // Never echo the value: a webhook URL is a secret.
    return 'an http:// or https:// URL, or env:NAME';
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return `an http:// or https:// URL (not ${u.protocol})`;
  return null;
}

export const DEFAULT_WEBHOOK_EVENTS: EventKind[] = ['failover', 'split-brain', 'no-master'];

export const WebhookConfig = z
  .object({
    name: Name,
    /** Where to POST; "env:NAME" reads it from the environment. Never logged, never sent to a browser. */
    url: z.string().min(1).max(2048).superRefine((url, ctx) => {
      const problem = webhookUrlProblem(url);
      if (problem) ctx.addIssue({ code: 'custom', message: `must be ${problem}` });
    }),
    /** Event kinds that trigger it. */
    events: z.array(EventKind).min(1).default(DEFAULT_WEBHOOK_EVENTS),
    /** 'json': { text, event }; 'slack': { text } (Slack / Mattermost incoming webhooks). */
    format: z.enum(['json', 'slack']).default('json'),
    /** Only these clusters (default: every cluster). */
    clusters: z.array(Name).min(1).optional(),
    /** Attempts per event, with exponential backoff between them. */
    attempts: z.number().int().min(1).max(10).default(5),
    /** Per-attempt time limit. */
    timeoutMs: z.number().int().min(100).max(60_000).default(5000),
    /** Also POST the audit log's head (an anchor for `lvsctl audit verify --anchor`) when it has changed. */
    auditHead: z.boolean().default(false),
  })
  .strict();
export type WebhookConfig = z.infer<typeof WebhookConfig>;

/** The audit log's key and anchors (server/audit/). */
export const AuditConfig = z
  .object({
    /**
     * The HMAC key of the audit chain from the environment ("env:NAME", at least 32 characters),
     * instead of keyFile. Never the key itself in the file.
     */
    key: z.string().regex(/^env:[A-Za-z_][A-Za-z0-9_]*$/, 'a reference to an environment variable: "env:NAME"').optional(),
    /** The file holding the HMAC key (default stateDir/audit.key, created with mode 0600 on first start). */
    keyFile: z.string().min(1).optional(),
    /** How often the chain's head is logged as `[audit] head id=N hash=H` (and sent to webhooks with auditHead) when it has changed. */
    anchorIntervalMinutes: z.number().min(0.1).max(1440).default(5),
  })
  .strict()
  .refine((a) => a.key === undefined || a.keyFile === undefined, { message: 'set key (env:NAME) or keyFile, not both', path: ['key'] });
export type AuditConfig = z.infer<typeof AuditConfig>;

export const ConsoleConfig = z
  .object({
    listen: z
      .object({ host: z.string().min(1).default('127.0.0.1'), port: z.number().int().min(1).max(65535).default(3000) })
      .strict()
      .default({ host: '127.0.0.1', port: 3000 }),
    pollIntervalMs: z.number().int().min(250).max(3_600_000).default(2000),
    /** Drains and weight holds (server/drain/). */
    drain: z
      .object({
        /** An open drain older than this is flagged (finding old-drain). */
        oldAfterHours: z.number().min(0.01).max(24 * 365).default(24),
        /** Re-apply held weights on directors that drifted (checker flap, restart, failover, manual edit). */
        reconcile: z.boolean().default(true),
        /**
         * Capacity floor: a drain or re-weight that would leave less than this share of a service's
         * full weight serving is refused (unless forced), counting servers already drained, down or
         * held. 0: only the last serving server is protected. Per cluster: clusters[].drain.
         */
        minServingShare: z.number().min(0, SHARE).max(1, SHARE).default(0),
      })
      .strict()
      .default({ oldAfterHours: 24, reconcile: true, minServingShare: 0 }),
    /** Directory for the SQLite database and other state. */
    stateDir: z.string().min(1).default('./state'),
    store: StoreConfig.default({ kind: 'sqlite' }),
    ssh: SshTuning.default(SshTuning.parse({})),
    history: z
      .object({
        /** Keep full-resolution samples this long. */
        rawRetentionMinutes: z.number().int().min(1).default(120),
        /** Keep one-minute averages this long. */
        minuteRetentionHours: z.number().int().min(1).default(48),
        /** Keep hourly averages and maxima this long (charts' 7-day and longer ranges). */
        hourRetentionDays: z.number().int().min(1).max(3660).default(30),
      })
      .strict()
      .default({ rawRetentionMinutes: 120, minuteRetentionHours: 48, hourRetentionDays: 30 }),
    auth: AuthConfig.default(AuthConfig.parse({})),
    metrics: MetricsConfig.default({ perRealServer: true, allow: [] }),
    /** Notifications of failovers, split brains and gaps (server/webhooks/). */
    webhooks: z.array(WebhookConfig).default([]),
    audit: AuditConfig.default({ anchorIntervalMinutes: 5 }),
    clusters: z.array(ClusterConfig).min(1),
  })
  .strict()
  .superRefine((c, ctx) => {
    if (c.store.kind === 'postgres' && c.store.leaseMs < 2 * c.pollIntervalMs) {
      ctx.addIssue({ code: 'custom', message: `must be at least two poll intervals (${2 * c.pollIntervalMs} ms): a lease is renewed once a poll`, path: ['store', 'leaseMs'] });
    }
    const users = new Set<string>();
    c.auth.users.forEach((u, i) => {
      if (users.has(u.name)) ctx.addIssue({ code: 'custom', message: `duplicate user name "${u.name}"`, path: ['auth', 'users', i, 'name'] });
      users.add(u.name);
    });
    const clusterNames = new Set(c.clusters.map((cl) => cl.name));
    for (const [group, grant] of Object.entries(c.auth.proxyAuth?.groups ?? {})) {
      for (const name of grant.clusters ?? []) {
        if (!clusterNames.has(name)) ctx.addIssue({ code: 'custom', message: `proxy group "${group}": no cluster named "${name}"`, path: ['auth', 'proxyAuth', 'groups', group, 'clusters'] });
      }
    }
    const hooks = new Set<string>();
    c.webhooks.forEach((w, i) => {
      if (hooks.has(w.name)) ctx.addIssue({ code: 'custom', message: `duplicate webhook name "${w.name}"`, path: ['webhooks', i, 'name'] });
      hooks.add(w.name);
    });
    const seen = new Set<string>();
    c.clusters.forEach((cl, i) => {
      if (seen.has(cl.name)) ctx.addIssue({ code: 'custom', message: `duplicate cluster name "${cl.name}"`, path: ['clusters', i, 'name'] });
      seen.add(cl.name);
      const ds = new Set<string>();
      cl.directors.forEach((d, j) => {
        if (ds.has(d.name)) ctx.addIssue({ code: 'custom', message: `duplicate director name "${d.name}"`, path: ['clusters', i, 'directors', j, 'name'] });
        ds.add(d.name);
      });
      const hs = new Set<string>();
      cl.haproxy.forEach((h, j) => {
        if (hs.has(h.name)) ctx.addIssue({ code: 'custom', message: `duplicate HAProxy instance name "${h.name}"`, path: ['clusters', i, 'haproxy', j, 'name'] });
        hs.add(h.name);
        if (!ds.has(h.director)) ctx.addIssue({ code: 'custom', message: `HAProxy instance "${h.name}": no director named "${h.director}" in cluster "${cl.name}"`, path: ['clusters', i, 'haproxy', j, 'director'] });
      });
    });
  });
export type ConsoleConfig = z.infer<typeof ConsoleConfig>;
