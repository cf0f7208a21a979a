// Append-only list: migration N brings the schema from user_version N to N+1. Never edit one
// that has shipped; add a new one.

/** The columns of a rate sample, raw (samples) and averaged by the minute (samples_minute). */
const SAMPLE_COLUMNS = `    cluster TEXT NOT NULL,
    service TEXT NOT NULL,
    real_server TEXT NOT NULL,
    t INTEGER NOT NULL,
    active REAL NOT NULL,
    inactive REAL NOT NULL,
    cps REAL NOT NULL,
    in_pps REAL NOT NULL,
    out_pps REAL NOT NULL,
    in_bps REAL NOT NULL,
    out_bps REAL NOT NULL`;

export const MIGRATIONS: readonly string[] = [
  `
  -- Rate and connection samples for charts. real_server '' = the service as a whole.
  CREATE TABLE samples (
${SAMPLE_COLUMNS}
  );
  CREATE INDEX samples_key_t ON samples (cluster, service, real_server, t);
  CREATE INDEX samples_t ON samples (t);
  -- One-minute averages of older samples.
  CREATE TABLE samples_minute (
${SAMPLE_COLUMNS},
    PRIMARY KEY (cluster, service, real_server, t)
  ) WITHOUT ROWID;
  CREATE INDEX samples_minute_t ON samples_minute (t);
  `,
  `
  -- Failover history (server/events/store.ts). Text columns are NULL when the event has no such
  -- field; log_lines is a JSON array of raw keepalived log lines.
  CREATE TABLE events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    cluster TEXT NOT NULL,
    kind TEXT NOT NULL,
    director TEXT,
    instance TEXT,
    from_state TEXT,
    to_state TEXT,
    from_master TEXT,
    to_master TEXT,
    at INTEGER NOT NULL,
    ended_at INTEGER,
    duration_ms INTEGER,
    cause TEXT,
    service TEXT,
    real_server TEXT,
    log_lines TEXT NOT NULL DEFAULT '[]',
    source TEXT NOT NULL
  );
  CREATE INDEX events_cluster_at ON events (cluster, at);
  CREATE INDEX events_at ON events (at);
  CREATE INDEX events_open ON events (cluster, kind) WHERE ended_at IS NULL;
  `,
  `
  -- Audit log (server/audit/log.ts): append-only, each row chained to the previous by hash.
  -- detail is JSON (per-director results, reason, ticket, refusal message...).
  CREATE TABLE audit (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at INTEGER NOT NULL,
    actor TEXT NOT NULL,
    role TEXT,
    source TEXT NOT NULL,
    action TEXT NOT NULL,
    cluster TEXT,
    target TEXT,
    outcome TEXT NOT NULL,
    detail TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
  );
  CREATE INDEX audit_at ON audit (at);
  CREATE INDEX audit_cluster_at ON audit (cluster, at);
  CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
  CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
  `,
  `
  -- Access control (server/auth/). Users from \`lvsctl user add\` (config users are not stored here).
  -- Only hashes of passwords, session ids and API tokens are stored.
  CREATE TABLE users (
    name TEXT PRIMARY KEY,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL,
    clusters TEXT,
    created_at INTEGER NOT NULL,
    disabled_at INTEGER
  );
  CREATE TABLE sessions (
    id_hash TEXT PRIMARY KEY,
    user TEXT NOT NULL,
    role TEXT NOT NULL,
    clusters TEXT,
    csrf TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL
  );
  CREATE TABLE api_tokens (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL UNIQUE,
    token_hash TEXT NOT NULL UNIQUE,
    role TEXT NOT NULL,
    clusters TEXT,
    created_by TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    last_used_at INTEGER,
    revoked_at INTEGER
  );
  `,
  `
  -- Drain and weight intents (server/drain/): what an operator asked a real server's weight to be,
  -- held on every director until ended. At most one open intent per cluster+service+real server.
  CREATE TABLE intents (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    cluster TEXT NOT NULL,
    service TEXT NOT NULL,
    real_server TEXT NOT NULL,
    kind TEXT NOT NULL,
    weight INTEGER NOT NULL,
    restore_weight INTEGER,
    mechanism TEXT NOT NULL,
    actor TEXT NOT NULL,
    reason TEXT NOT NULL,
    ticket TEXT,
    created_at INTEGER NOT NULL,
    expires_at INTEGER,
    on_expiry TEXT,
    ended_at INTEGER,
    ended_by TEXT,
    end_reason TEXT
  );
  CREATE UNIQUE INDEX intents_open ON intents (cluster, service, real_server) WHERE ended_at IS NULL;
  CREATE INDEX intents_cluster ON intents (cluster, created_at);
  `,
  `
  -- HAProxy holds (server/haproxy/): a server's runtime state (drain/maint) or weight an operator set,
  -- re-applied after HAProxy forgets it (reload, restart). At most one open hold per aspect.
  CREATE TABLE haproxy_holds (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    cluster TEXT NOT NULL,
    backend TEXT NOT NULL,
    server TEXT NOT NULL,
    aspect TEXT NOT NULL,
    state TEXT,
    weight INTEGER,
    actor TEXT NOT NULL,
    reason TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    reapplied INTEGER NOT NULL DEFAULT 0,
    last_reapplied_at INTEGER,
    last_error TEXT,
    ended_at INTEGER,
    ended_by TEXT,
    end_reason TEXT
  );
  CREATE UNIQUE INDEX haproxy_holds_open ON haproxy_holds (cluster, backend, server, aspect) WHERE ended_at IS NULL;
  `,
  `
  -- API tokens expire (server/auth/store.ts): epoch ms, NULL = never (tokens made before this).
  ALTER TABLE api_tokens ADD COLUMN expires_at INTEGER;
  `,
  `
  -- Audit: a change is written as an 'attempted' row first, then completed by an outcome row that
  -- names the attempt (server/audit/log.ts). NULL for rows that complete nothing.
  ALTER TABLE audit ADD COLUMN attempt_id INTEGER;
  CREATE INDEX audit_attempt ON audit (attempt_id) WHERE attempt_id IS NOT NULL;
  `,
  `
  -- Audit: rows from here on are keyed (server/audit/log.ts): scheme 2 = HMAC-SHA256 with the audit
  -- key kept outside the database (key_id names it). Rows already written stay scheme 1 (SHA-256).
  ALTER TABLE audit ADD COLUMN scheme INTEGER NOT NULL DEFAULT 1;
  ALTER TABLE audit ADD COLUMN key_id TEXT;
  `,
  `
  -- History for charts (server/collector/history.ts): minute rows keep the largest raw sample of
  -- their minute beside the average (NULL in rows folded before this); hourly averages and maxima
  -- rolled from the minute rows; service '' = the cluster as a whole.
  ALTER TABLE samples_minute ADD COLUMN max_active REAL;
  ALTER TABLE samples_minute ADD COLUMN max_cps REAL;
  ALTER TABLE samples_minute ADD COLUMN max_in_bps REAL;
  ALTER TABLE samples_minute ADD COLUMN max_out_bps REAL;
  CREATE TABLE samples_hour (
${SAMPLE_COLUMNS},
    max_active REAL NOT NULL,
    max_cps REAL NOT NULL,
    max_in_bps REAL NOT NULL,
    max_out_bps REAL NOT NULL,
    PRIMARY KEY (cluster, service, real_server, t)
  ) WITHOUT ROWID;
  CREATE INDEX samples_hour_t ON samples_hour (t);
  `,
  `
  -- How far the hourly rollup has gone (epoch ms, exclusive): the hours before it are rolled for
  -- every series. Written when a rollup, done a few hundred series at a time, has finished.
  CREATE TABLE history_rollup (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    through INTEGER NOT NULL
  );
  -- Stores that rolled before this table: up to their last hour row.
  INSERT INTO history_rollup (id, through) SELECT 1, max(t) + 3600000 FROM samples_hour HAVING max(t) IS NOT NULL;
  `,
  `
  -- Director maintenance (server/maintenance/): a director whose VRRP track file the console set so
  -- that its peers hold the VIPs, until given back. At most one open row per cluster+director.
  CREATE TABLE director_maintenance (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    cluster TEXT NOT NULL,
    director TEXT NOT NULL,
    actor TEXT NOT NULL,
    reason TEXT NOT NULL,
    ticket TEXT,
    created_at INTEGER NOT NULL,
    expires_at INTEGER,
    ended_at INTEGER,
    ended_by TEXT,
    end_reason TEXT
  );
  CREATE UNIQUE INDEX director_maintenance_open ON director_maintenance (cluster, director) WHERE ended_at IS NULL;
  `,
  `
  -- Rolling maintenance (server/rollout/): one row per rollout; doc is the Rollout model as JSON
  -- (lib/models/rollout.ts, validated on every read), state and cluster beside it for the queries.
  CREATE TABLE rollouts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    cluster TEXT NOT NULL,
    state TEXT NOT NULL,
    doc TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  );
  CREATE INDEX rollouts_cluster ON rollouts (cluster, id);
  CREATE INDEX rollouts_active ON rollouts (state) WHERE state IN ('running', 'paused');
  `,
  `
  -- A rollout's callback secret (server/rollout/): its SHA-256, never the secret; NULL = no callback.
  ALTER TABLE rollouts ADD COLUMN callback_hash TEXT;
  `,
  `
  -- Several consoles on one store (server/leases/): each console's heartbeat, and per cluster the
  -- console that runs its side effects (reconcilers, events and back-fill, webhooks, rollouts,
  -- history) until its lease runs out. Name '@store': the store's own housekeeping.
  CREATE TABLE consoles (
    id TEXT PRIMARY KEY,
    host TEXT NOT NULL,
    pid INTEGER NOT NULL,
    started_at INTEGER NOT NULL,
    seen_at INTEGER NOT NULL
  );
  CREATE TABLE leases (
    name TEXT PRIMARY KEY,
    holder TEXT NOT NULL,
    acquired_at INTEGER NOT NULL,
    renewed_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
  );
  -- The console (consoles.id) that wrote an audit row; NULL for rows from before, and from lvsctl.
  ALTER TABLE audit ADD COLUMN console TEXT;
  `,
  `
  -- Webhook deliveries (server/webhooks/delivery-store.ts): per configured webhook, how many events
  -- were delivered or given up on, and the last delivery, whichever console sent it.
  CREATE TABLE webhook_deliveries (
    hook TEXT PRIMARY KEY,
    sent INTEGER NOT NULL DEFAULT 0,
    failed INTEGER NOT NULL DEFAULT 0,
    last_at INTEGER,
    last_event_id TEXT,
    last_kind TEXT,
    last_ok INTEGER,
    last_status INTEGER,
    last_attempts INTEGER,
    last_error TEXT,
    last_console TEXT
  );
  `,
];
