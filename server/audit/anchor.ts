import 'server-only';
import type { AuditAnchor, AuditHead } from './log';

// Anchors of the audit chain (issue 14, item 9): the head (newest row's id and hash) is exported
// where the database cannot reach it: a log line `[audit] head id=N hash=H` at start, every
// audit.anchorIntervalMinutes when it has changed, and at shutdown, plus a POST to every webhook
// with auditHead: true. `lvsctl audit verify --anchor N:H` (or --anchor-file with those log lines)
// then proves the chain still reaches that row with that hash: removing the newest rows, or
// rewriting rows and their hashes, is caught.

export function anchorLine(h: AuditHead): string {
  return `[audit] head id=${h.id} hash=${h.hash}`;
}

/** Every `id=N hash=H` (or `N:H`) in a text, e.g. the console's log or a saved webhook body. */
export function parseAnchors(text: string): AuditAnchor[] {
  const out: AuditAnchor[] = [];
  for (const m of text.matchAll(/\bid=(\d+)\s+hash=([0-9a-f]{16,64})\b/gi)) out.push({ id: Number(m[1]), hash: (m[2] ?? '').toLowerCase() });
  return out;
}

/** One anchor given as "N:HASH" (HASH: at least the first 16 hex digits). Null when malformed. */
export function parseAnchorArg(v: string): AuditAnchor | null {
  const m = /^#?(\d+):([0-9a-fA-F]{16,64})$/.exec(v.trim());
  return m ? { id: Number(m[1]), hash: (m[2] ?? '').toLowerCase() } : null;
}

export interface AnchorDeps {
  audit: { head(): AuditHead | null };
  intervalMs: number;
  /** Where the anchor line goes (default stdout: the service's journal). */
  log?: (line: string) => void;
  /** Also sent elsewhere (webhooks with auditHead); fire and forget. */
  notify?: (head: AuditHead) => void;
}

export class AuditAnchors {
  private last: string | null = null;
  private timer: ReturnType<typeof setInterval> | null = null;
  private readonly log: (line: string) => void;

  constructor(private readonly deps: AnchorDeps) {
    this.log = deps.log ?? ((l) => console.log(l));
  }

  /** Export now, then every interval when the head has changed. */
  start(): void {
    if (this.timer) return;
    this.export(true);
    this.timer = setInterval(() => this.export(false), Math.max(1000, this.deps.intervalMs));
    this.timer.unref?.();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Exports the head if it changed since the last export (always with `force`). Never throws. */
  export(force: boolean): AuditHead | null {
    let head: AuditHead | null;
    try {
      head = this.deps.audit.head();
    } catch (e) {
      console.error('[audit] cannot read the head to export it', e);
      return null;
    }
    if (head === null) return null;
    const key = `${head.id}:${head.hash}`;
    if (!force && key === this.last) return null;
    this.last = key;
    this.log(anchorLine(head));
    try {
      this.deps.notify?.(head);
    } catch (e) {
      console.error('[audit] sending the head to webhooks failed', e);
    }
    return head;
  }
}
