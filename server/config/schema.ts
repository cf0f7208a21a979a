import { z } from 'zod';

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

export const KeepalivedLogSource = z.union([
  z.object({ file: z.string().startsWith('/') }).strict(),
  z.object({ journald: z.object({ unit: z.string().default('keepalived') }).strict() }).strict(),
]);

export const DirectorConfig = z
  .object({
    name: Name,
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
    /** Prefix privileged commands with `sudo -n` (for a non-root user). */
    sudo: z.boolean().default(false),
    jumpHost: JumpHostConfig.optional(),
    keepalivedLog: KeepalivedLogSource.default({ journald: { unit: 'keepalived' } }),
  })
  .strict()
  .refine((d) => d.privateKeyPath !== undefined || d.agent, {
    message: 'set privateKeyPath or agent: true',
    path: ['privateKeyPath'],
  })
  .refine((d) => d.hostKey !== undefined || d.knownHostsPath !== undefined, {
    message: 'pin the host key: set hostKey (SHA256 fingerprint) or knownHostsPath',
    path: ['hostKey'],
  });
export type DirectorConfig = z.infer<typeof DirectorConfig>;

export const ClusterConfig = z
  .object({
    name: Name,
    directors: z.array(DirectorConfig).min(1),
  })
  .strict();
export type ClusterConfig = z.infer<typeof ClusterConfig>;

export const SshTuning = z
  .object({
    connectTimeoutMs: z.number().int().min(100).max(120_000).default(10_000),
    commandTimeoutMs: z.number().int().min(100).max(600_000).default(15_000),
    keepaliveIntervalMs: z.number().int().min(0).max(600_000).default(10_000),
    maxChannelsPerDirector: z.number().int().min(1).max(64).default(6),
    reconnectMinMs: z.number().int().min(10).default(500),
    reconnectMaxMs: z.number().int().min(10).default(30_000),
  })
  .strict();
export type SshTuning = z.infer<typeof SshTuning>;

export const ConsoleConfig = z
  .object({
    listen: z
      .object({ host: z.string().min(1).default('127.0.0.1'), port: z.number().int().min(1).max(65535).default(3000) })
      .strict()
      .default({ host: '127.0.0.1', port: 3000 }),
    pollIntervalMs: z.number().int().min(250).max(3_600_000).default(2000),
    /** Directory for the SQLite database and other state. */
    stateDir: z.string().min(1).default('./state'),
    ssh: SshTuning.default(SshTuning.parse({})),
    history: z
      .object({
        /** Keep full-resolution samples this long. */
        rawRetentionMinutes: z.number().int().min(1).default(120),
        /** Keep one-minute averages this long. */
        minuteRetentionHours: z.number().int().min(1).default(48),
      })
      .strict()
      .default({ rawRetentionMinutes: 120, minuteRetentionHours: 48 }),
    clusters: z.array(ClusterConfig).min(1),
  })
  .strict()
  .superRefine((c, ctx) => {
    const seen = new Set<string>();
    c.clusters.forEach((cl, i) => {
      if (seen.has(cl.name)) ctx.addIssue({ code: 'custom', message: `duplicate cluster name "${cl.name}"`, path: ['clusters', i, 'name'] });
      seen.add(cl.name);
      const ds = new Set<string>();
      cl.directors.forEach((d, j) => {
        if (ds.has(d.name)) ctx.addIssue({ code: 'custom', message: `duplicate director name "${d.name}"`, path: ['clusters', i, 'directors', j, 'name'] });
        ds.add(d.name);
      });
    });
  });
export type ConsoleConfig = z.infer<typeof ConsoleConfig>;
