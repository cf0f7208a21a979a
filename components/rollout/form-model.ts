import type { ClusterSnapshot } from '@/lib/models/cluster';
import { DEFAULT_RAMP, parseRampText, RolloutRequest, type MaintenanceWait, type RolloutRequestInput } from '@/lib/models/rollout';

// The "New rollout" form as data: the hosts a cluster offers (each real server address with the
// services it serves), the fields as typed, and the request they make (or what is wrong with them,
// in the words of the request's own schema). Pure: the form renders it, the tests read it.

export interface HostChoice {
  address: string;
  /** Service keys this address serves ("TCP 192.0.2.100:80", …). */
  services: string[];
}

/** Every distinct real server address of the snapshot, with the services it serves, in address order. */
export function hostChoices(snapshot: Pick<ClusterSnapshot, 'services'>): HostChoice[] {
  const byAddress = new Map<string, string[]>();
  for (const service of snapshot.services) {
    for (const rs of service.realServers) {
      const services = byAddress.get(rs.address);
      if (!services) byAddress.set(rs.address, [service.key]);
      else if (!services.includes(service.key)) services.push(service.key);
    }
  }
  return [...byAddress.entries()]
    .map(([address, services]) => ({ address, services }))
    .sort((a, b) => a.address.localeCompare(b.address, 'en', { numeric: true }));
}

/** At most this many hosts are listed at once (a large cluster has thousands): the rest by filter. */
export const MAX_LISTED_HOSTS = 120;

/**
 * The hosts listed: the ticked ones always, then those whose address or a service contains `filter`
 * (case-insensitive), up to MAX_LISTED_HOSTS; `hidden`: how many matched and were not listed.
 */
export function filterChoices(choices: readonly HostChoice[], filter: string, picked: readonly string[]): { choices: HostChoice[]; hidden: number } {
  const f = filter.trim().toLowerCase();
  const matches = (c: HostChoice) => f === '' || c.address.toLowerCase().includes(f) || c.services.some((s) => s.toLowerCase().includes(f));
  const ticked = new Set(picked);
  const out: HostChoice[] = [];
  let hidden = 0;
  for (const c of choices) {
    if (ticked.has(c.address)) out.push(c);
    else if (!matches(c)) continue;
    else if (out.length < MAX_LISTED_HOSTS) out.push(c);
    else hidden++;
  }
  return { choices: out, hidden };
}

export interface RolloutForm {
  /** Addresses ticked in the list. */
  picked: string[];
  /** Addresses typed (comma or space separated). */
  typed: string;
  batchSize: string;
  reason: string;
  ticket: string;
  maintenance: MaintenanceWait;
  maintenanceSeconds: string;
  ramp: string;
  stepSeconds: string;
  drainDeadlineSeconds: string;
  onDeadline: 'wait' | 'proceed';
  checkSeconds: string;
  checkNewConnections: boolean;
}

/** The form's defaults: the request schema's own. */
export const DEFAULT_FORM: RolloutForm = {
  picked: [],
  typed: '',
  batchSize: '1',
  reason: '',
  ticket: '',
  maintenance: 'manual',
  maintenanceSeconds: '600',
  ramp: DEFAULT_RAMP.join(','),
  stepSeconds: '30',
  drainDeadlineSeconds: '900',
  onDeadline: 'wait',
  checkSeconds: '120',
  checkNewConnections: true,
};

/** The hosts in order: the ticked ones in the list's order, then the typed ones; each once. */
export function formHosts(form: Pick<RolloutForm, 'picked' | 'typed'>, choices: readonly HostChoice[]): string[] {
  const picked = new Set(form.picked);
  const out: string[] = [];
  for (const c of choices) if (picked.has(c.address)) out.push(c.address);
  // Ticked addresses the snapshot no longer lists stay in.
  for (const a of form.picked) if (!out.includes(a)) out.push(a);
  for (const a of form.typed.split(/[\s,;]+/)) if (a !== '' && !out.includes(a)) out.push(a);
  return out;
}

/** "10, 25,50 100" -> [10, 25, 50, 100]; null when a part is not a whole number. */
export const parseRamp = parseRampText;

const FIELD_NAMES: Record<string, string> = {
  hosts: 'Hosts',
  batchSize: 'Hosts per batch',
  reason: 'Reason',
  ticket: 'Ticket',
  maintenanceSeconds: 'Maintenance seconds',
  ramp: 'Ramp',
  stepSeconds: 'Seconds between ramp steps',
  drainDeadlineSeconds: 'Drain deadline',
  checkSeconds: 'Check time limit',
};

export type FormRequest = { ok: true; body: RolloutRequestInput } | { ok: false; problems: string[] };

/** The request the form makes (dryRun: "Check"), or what is wrong with it. */
export function formRequest(form: RolloutForm, choices: readonly HostChoice[], dryRun: boolean): FormRequest {
  const problems: string[] = [];
  const whole = (text: string, field: string): number | undefined => {
    const t = text.trim();
    if (/^\d+$/.test(t)) return Number(t);
    problems.push(`${FIELD_NAMES[field] ?? field}: a whole number of ${field === 'batchSize' ? 'hosts' : 'seconds'}`);
    return undefined;
  };
  const ramp = parseRamp(form.ramp);
  if (ramp === null) problems.push('Ramp: percentages separated by commas, e.g. 10,25,50,100');
  const body: RolloutRequestInput = {
    kind: 'rollout',
    hosts: formHosts(form, choices),
    batchSize: whole(form.batchSize, 'batchSize'),
    reason: form.reason.trim(),
    ...(form.ticket.trim() ? { ticket: form.ticket.trim() } : {}),
    maintenance: form.maintenance,
    ...(form.maintenance === 'timer' ? { maintenanceSeconds: whole(form.maintenanceSeconds, 'maintenanceSeconds') } : {}),
    ...(ramp ? { ramp } : {}),
    stepSeconds: whole(form.stepSeconds, 'stepSeconds'),
    drainDeadlineSeconds: whole(form.drainDeadlineSeconds, 'drainDeadlineSeconds'),
    onDeadline: form.onDeadline,
    checkSeconds: whole(form.checkSeconds, 'checkSeconds'),
    checkNewConnections: form.checkNewConnections,
    ...(dryRun ? { dryRun: true } : {}),
  };
  if (problems.length > 0) return { ok: false, problems };
  const parsed = RolloutRequest.safeParse(body);
  if (!parsed.success) {
    const seen = new Set<string>();
    for (const issue of parsed.error.issues) {
      const field = typeof issue.path[0] === 'string' ? issue.path[0] : '';
      const line = `${FIELD_NAMES[field] ?? (field || 'Request')}: ${issue.message}`;
      if (!seen.has(line)) {
        seen.add(line);
        problems.push(line);
      }
    }
    return { ok: false, problems };
  }
  return { ok: true, body };
}
