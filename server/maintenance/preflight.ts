// The pre-flight of director maintenance (pure): from the merged snapshot, the directors' last
// observations (keepalived's instances, preempt, track files, checkers), the open maintenance rows
// and the pre-flight's own reads (sync daemons, sloppy_tcp, connection survival), every item an
// operator checks before moving the VIPs, each ok / warning / refusal with its reason.
//
// Enter (take D out): keepalived on D tracks the maintenance file with a weight that puts D below
// a peer; some peer is live, runs keepalived, is not FAULT, not in maintenance itself, and preempts
// (a nopreempt backup never takes over from a lower-priority master); the peer's IPVS table equals
// D's (drift is the one refusal `force` overrides); the peer's checkers see the same real servers
// up; which instances and VIPs move (sync groups together); connections that would break.
// Exit (give D back): D is in maintenance, live, runs keepalived and is not FAULT; its table equals
// the holder's; whether the VIPs come back by themselves (D preempts and outranks the holder).

import type { ClusterSnapshot } from '@/lib/models/cluster';
import { blockingRefusals, maintenanceConfigHint, MAINTENANCE_TRACK_FILE, type ConnectionSurvival, type DirectorMaintenance, type MaintenanceAction, type MaintenanceCheck, type MaintenanceMove, type MaintenancePreflight } from '@/lib/models/maintenance';
import type { DirectorObservation, ObservedDirectorData, ObservedVrrpInstance } from '@/server/collector/observation';
import { TRACK_DIR } from '@/server/commands/validators';
import type { DirectorFacts, SurvivalRead } from './reads';

export const MAINTENANCE_TRACK_PATH = `${TRACK_DIR}/${MAINTENANCE_TRACK_FILE}`;

/** keepalived clamps an effective priority to 1..254 (255 is the address owner's). */
const clampPriority = (p: number) => Math.max(1, Math.min(254, p));

/** How keepalived on one director tracks the maintenance file, from its last dump. */
export interface MaintenanceTrack {
  /** The track_file object's name in keepalived.conf. */
  name: string;
  path: string;
  /** The number keepalived last read from it (0: in service), null when unknown. */
  value: number | null;
  /** Per VRRP instance tracking it: its weight. */
  weights: Record<string, number>;
}

/** The maintenance track of a director's last dump, or null when keepalived does not track the file (or no dump yet). */
export function maintenanceTrack(data: ObservedDirectorData | null): MaintenanceTrack | null {
  const file = data?.trackFiles?.find((f) => f.path === MAINTENANCE_TRACK_PATH);
  if (!data || !file) return null;
  const weights: Record<string, number> = {};
  for (const i of data.vrrp ?? []) {
    const t = i.trackedFiles?.find((x) => x.name === file.name);
    if (t) weights[i.name] = t.weight;
  }
  return { name: file.name, path: MAINTENANCE_TRACK_PATH, value: file.value, weights };
}

export interface PreflightInput {
  action: MaintenanceAction;
  cluster: string;
  director: string;
  force: boolean;
  snapshot: ClusterSnapshot;
  observations: readonly DirectorObservation[];
  /** Open maintenance rows of this cluster. */
  open: readonly DirectorMaintenance[];
  /** Sync daemons, sloppy_tcp and conntrack per director (missing: not read). */
  facts: Readonly<Record<string, DirectorFacts>>;
  /** The connection count between `giver` and `taker` (null: not read, e.g. nothing moves). */
  survival: SurvivalRead | null;
  /** planSwitch's answer for this input (the caller's: it needs it first, to know whose connections to read). */
  plan: SwitchPlan;
  now: number;
}

/** Who gives the VIPs up and who takes them, per the plan below (the reads need it before the pre-flight). */
export interface Switch {
  giver: string | null;
  taker: string | null;
}

/** What moves, who gives the VIPs up and who takes them, and the peers that could. */
export interface SwitchPlan {
  moves: MaintenanceMove[];
  switch: Switch;
  eligible: string[];
}

const check = (id: string, status: MaintenanceCheck['status'], title: string, detail: string, forcible = false): MaintenanceCheck => ({ id, status, title, detail, forcible });

function inMaintenance(name: string, obs: readonly DirectorObservation[], open: readonly DirectorMaintenance[]): boolean {
  if (open.some((m) => m.director === name)) return true;
  const t = maintenanceTrack(obs.find((o) => o.name === name)?.data ?? null);
  return t !== null && t.value !== null && t.value !== 0;
}

/**
 * The instances that move and where: for enter, those D holds (with their sync-group mates), to
 * the eligible peer with the highest effective priority; for exit, those whose holder D would
 * outrank at its own priority.
 */
export function planSwitch(input: Pick<PreflightInput, 'action' | 'director' | 'snapshot' | 'observations' | 'open'>): SwitchPlan {
  const { action, director: d, snapshot, observations } = input;
  const vrrpOf = (name: string): ObservedVrrpInstance[] => observations.find((o) => o.name === name)?.data?.vrrp ?? [];
  const eligible = snapshot.directors
    .filter((x) => x.name !== d && x.live && x.keepalivedRunning === true && !inMaintenance(x.name, observations, input.open))
    .filter((x) => !x.instances.some((i) => i.state === 'FAULT'))
    .map((x) => x.name);
  const prio = (name: string, instance: string) => {
    const i = vrrpOf(name).find((v) => v.name === instance);
    return i?.effectivePriority ?? i?.priority ?? null;
  };
  const moves: MaintenanceMove[] = [];
  if (action === 'enter') {
    const held = snapshot.instances.filter((i) => i.holders.includes(d));
    const groups = new Set(held.map((i) => vrrpOf(d).find((v) => v.name === i.name)?.syncGroup ?? null).filter((g): g is string => g !== null));
    const moving = snapshot.instances.filter((i) => i.holders.includes(d) || groups.has(vrrpOf(d).find((v) => v.name === i.name)?.syncGroup ?? ''));
    for (const i of moving) {
      const to = [...eligible].sort((a, b) => (prio(b, i.name) ?? -1) - (prio(a, i.name) ?? -1))[0] ?? null;
      moves.push({ instance: i.name, syncGroup: vrrpOf(d).find((v) => v.name === i.name)?.syncGroup ?? null, vips: i.vips, from: i.master ?? i.holders[0] ?? null, to });
    }
  } else {
    for (const i of snapshot.instances) {
      const mine = vrrpOf(d).find((v) => v.name === i.name);
      if (!mine || mine.priority === null) continue;
      const holder = i.master;
      if (holder === d) continue;
      const holderPrio = holder === null ? null : prio(holder, i.name);
      if (mine.preempt === false || (holderPrio !== null && clampPriority(mine.priority) <= holderPrio)) continue;
      moves.push({ instance: i.name, syncGroup: mine.syncGroup, vips: i.vips, from: holder, to: d });
    }
  }
  const first = moves[0];
  const sw: Switch = first ? { giver: first.from, taker: first.to } : { giver: null, taker: null };
  return { moves, switch: sw, eligible };
}

/** The IPVS table differences between two directors: services or real servers present on one only, or weights that differ. */
export function tableDrift(snapshot: ClusterSnapshot, a: string, b: string): string[] {
  const out: string[] = [];
  for (const s of snapshot.services) {
    const onA = s.presentOn.includes(a);
    const onB = s.presentOn.includes(b);
    if (onA !== onB) {
      out.push(`${s.key} only on ${onA ? a : b}`);
      continue;
    }
    if (!onA) continue;
    for (const r of s.realServers) {
      const x = r.perDirector[a];
      const y = r.perDirector[b];
      // perDirector is filled for every real server in the server's own snapshot.
      if (!x || !y) continue;
      if (x.present !== y.present) out.push(`${s.key} → ${r.key} only on ${x.present ? a : b}`);
      else if (x.present && x.weight !== y.weight) out.push(`${s.key} → ${r.key} weight ${x.weight} on ${a}, ${y.weight} on ${b}`);
    }
  }
  return out;
}

/** Real servers whose checker verdict differs between two directors (keepalived's dumps). */
export function checkerDrift(observations: readonly DirectorObservation[], a: string, b: string): string[] {
  const of = (n: string) => observations.find((o) => o.name === n)?.data?.checkers ?? null;
  const ca = of(a);
  const cb = of(b);
  if (!ca || !cb) return [];
  const verdict = new Map(cb.map((c) => [`${c.service} → ${c.realServer}`, c.alive]));
  const out: string[] = [];
  for (const c of ca) {
    const k = `${c.service} → ${c.realServer}`;
    const other = verdict.get(k);
    if (other === undefined) continue;
    if (c.alive !== other && c.alive !== null && other !== null) out.push(`${k}: ${c.alive ? 'up' : 'down'} on ${a}, ${other ? 'up' : 'down'} on ${b}`);
  }
  return out;
}

const list = (xs: readonly string[], n = 5) => (xs.length <= n ? xs.join('; ') : `${xs.slice(0, n).join('; ')}; and ${xs.length - n} more`);

export function preflight(input: PreflightInput): MaintenancePreflight {
  const { action, director: d, snapshot, observations, facts, force } = input;
  const checks: MaintenanceCheck[] = [];
  const obs = observations.find((o) => o.name === d);
  const me = snapshot.directors.find((x) => x.name === d);
  const track = maintenanceTrack(obs?.data ?? null);
  const myVrrp = obs?.data?.vrrp ?? [];
  const planned = input.plan;
  const { moves } = planned;

  // The mechanism.
  let configHint: string | null = null;
  if (!obs?.data?.vrrp) {
    checks.push(check('track-file', 'refusal', 'Track file', `keepalived's configuration on ${d} has not been read yet (no dump): cannot tell whether it tracks ${MAINTENANCE_TRACK_PATH}`));
  } else if (!track || Object.keys(track.weights).length === 0) {
    const groups = [...new Set(myVrrp.map((v) => v.syncGroup).filter((g): g is string => g !== null))];
    configHint = maintenanceConfigHint(MAINTENANCE_TRACK_PATH, myVrrp.map((v) => v.name), groups);
    checks.push(check('track-file', 'refusal', 'Track file not configured', `keepalived on ${d} does not track ${MAINTENANCE_TRACK_PATH}: add the lines shown to keepalived.conf on every director and reload keepalived`));
  } else {
    const untracked = myVrrp.filter((v) => track.weights[v.name] === undefined).map((v) => v.name);
    const modes = Object.values(track.weights);
    const mode = modes.every((w) => w === 0)
      ? 'weight 0: a non-zero value puts the instances in FAULT'
      : modes.some((w) => w === 0)
        ? 'weight 0 on some instances (FAULT), a negative weight on the others (priority lowered)'
        : 'a negative weight: a non-zero value lowers the priority below the peers';
    const detail = `${track.path} tracked by ${Object.entries(track.weights).map(([i, w]) => `${i} (weight ${w})`).join(', ')} (${mode}); it holds ${track.value ?? 'an unknown value'}`;
    checks.push(check('track-file', untracked.length ? 'warning' : 'ok', 'Track file', untracked.length ? `${detail}; not tracked by ${untracked.join(', ')}: those stay where they are` : detail));
  }

  const open = input.open.find((m) => m.director === d) ?? null;
  const held = track !== null && track.value !== null && track.value !== 0;
  /** track_file weight 0: a non-zero value holds the instances in FAULT (not a lowered priority). */
  const faultMode = track !== null && Object.keys(track.weights).length > 0 && Object.values(track.weights).every((w) => w === 0);
  if (action === 'enter') {
    if (open || held) {
      checks.push(check('state', 'refusal', 'Already in maintenance', open ? `${d} is in maintenance since ${new Date(open.createdAt).toISOString()} by ${open.actor} (${open.reason})` : `${track?.path} on ${d} already holds ${track?.value}: keepalived keeps ${d} below its peers`));
    }
  } else if (!open && !held) {
    checks.push(check('state', 'refusal', 'Not in maintenance', `${d} is not in maintenance: nothing to give back`));
  }

  // The director itself.
  if (!me) checks.push(check('director', 'refusal', 'Director', `no director named ${d} in cluster ${input.cluster}`));
  else if (action === 'exit') {
    if (!me.live) checks.push(check('director', 'refusal', `${d} unreachable`, `${d} has not answered since ${me.takenAt ? new Date(me.takenAt).toISOString() : 'the console started'}: it cannot be checked before it takes the VIPs back`));
    else if (me.keepalivedRunning !== true) checks.push(check('director', 'refusal', `keepalived not running on ${d}`, `start keepalived on ${d} first: without it ${d} cannot take the VIPs`));
    else if (me.instances.some((i) => i.state === 'FAULT') && !(faultMode && held)) checks.push(check('director', 'refusal', `${d} in FAULT`, `${me.instances.filter((i) => i.state === 'FAULT').map((i) => i.name).join(', ')} in FAULT on ${d}: fix that first`));
    else checks.push(check('director', 'ok', `${d} ready`, `${d} is live, keepalived runs, no instance in FAULT`));
  }
  if (me && myVrrp.length === 0 && obs?.data?.vrrp) {
    checks.push(check('vrrp', 'refusal', 'No VRRP instance', `${d} is in no VRRP instance: it holds no VIPs to move`));
  }

  // The peers.
  const peers = snapshot.directors.filter((x) => x.name !== d);
  if (action === 'enter') {
    if (peers.length === 0) checks.push(check('peers', 'refusal', 'No peer', `${d} is the only director of ${input.cluster}: nobody could take its VIPs`));
    for (const p of peers) {
      const why = !p.live
        ? `unreachable (last answer ${p.takenAt ? new Date(p.takenAt).toISOString() : 'never'})`
        : p.keepalivedRunning !== true
          ? 'keepalived not running'
          : p.instances.some((i) => i.state === 'FAULT')
            ? `in FAULT (${p.instances.filter((i) => i.state === 'FAULT').map((i) => i.name).join(', ')})`
            : inMaintenance(p.name, observations, input.open)
              ? 'in maintenance itself'
              : null;
      checks.push(check(`peer-${p.name}`, why ? 'warning' : 'ok', `Peer ${p.name}`, why ? `${p.name} cannot take the VIPs: ${why}` : `${p.name} is live, keepalived runs, no instance in FAULT`));
    }
    if (peers.length > 0 && planned.eligible.length === 0) {
      checks.push(check('last-director', 'refusal', 'No peer can take over', `no other director of ${input.cluster} is live, running keepalived, out of FAULT and out of maintenance: ${d} is the last one that can hold the VIPs`));
    }
    // A nopreempt peer stays BACKUP under a lower-priority master: the VIPs would not move.
    const target = moves.find((m) => m.to !== null)?.to ?? null;
    const targetVrrp = observations.find((o) => o.name === target)?.data?.vrrp ?? [];
    const nopreempt = targetVrrp.filter((v) => v.preempt === false && moves.some((m) => m.instance === v.name)).map((v) => v.name);
    // (in FAULT mode, weight 0, the master stops advertising: even a nopreempt backup takes over)
    if (target && nopreempt.length && !faultMode) checks.push(check('preempt', 'refusal', `${target} does not preempt`, `nopreempt on ${target} (${nopreempt.join(', ')}): it stays BACKUP under a lower-priority master, so lowering ${d} moves nothing. Stop keepalived on ${d} instead, or drop nopreempt`));
    // The weight must put D below the peer taking over.
    if (track && target) {
      for (const m of moves) {
        const mine = myVrrp.find((v) => v.name === m.instance);
        const w = track.weights[m.instance];
        const theirs = targetVrrp.find((v) => v.name === m.instance);
        const theirPrio = theirs?.effectivePriority ?? theirs?.priority ?? null;
        // weight 0 is FAULT mode: the instance gives up MASTER whatever the priorities
        if (!mine || mine.priority === null || w === undefined || w === 0 || theirPrio === null) continue;
        const lowered = clampPriority(mine.priority + w);
        if (lowered >= theirPrio) checks.push(check('weight', 'refusal', 'Weight too small', `${m.instance}: ${d}'s priority ${mine.priority} ${w} = ${lowered} is not below ${target}'s ${theirPrio}: the VIPs would not move. Use a larger negative weight (e.g. -253)`));
      }
    }
  } else if (moves.length === 0) {
    const nopre = myVrrp.filter((v) => v.preempt === false).map((v) => v.name);
    checks.push(check('preempt', 'warning', 'The VIPs stay where they are', nopre.length ? `nopreempt on ${d} (${nopre.join(', ')}): ${d} returns as BACKUP and the VIPs stay on their holder until it fails` : `${d}'s priority does not outrank the current holders: the VIPs stay where they are`));
  }

  // Tables and checkers between the giver and the taker (or D and its first peer).
  const other = action === 'enter' ? (moves.find((m) => m.to)?.to ?? planned.eligible[0] ?? null) : (moves[0]?.from ?? peers.find((p) => p.live)?.name ?? null);
  if (other) {
    const drift = tableDrift(snapshot, d, other);
    checks.push(
      drift.length
        ? check('tables', force ? 'warning' : 'refusal', 'IPVS tables differ', `${d} and ${other} differ: ${list(drift)}. ${force ? 'Going ahead (forced).' : `Whoever holds the VIPs serves with its own table: repair the drift first, or force.`}`, true)
        : check('tables', 'ok', 'IPVS tables equal', `${d} and ${other} list the same services, real servers and weights`),
    );
    const checkers = checkerDrift(observations, d, other);
    checks.push(checkers.length ? check('checkers', 'warning', 'Checkers disagree', `keepalived's checkers disagree: ${list(checkers)}`) : check('checkers', 'ok', 'Checkers agree', `${d} and ${other} see the same real servers up`));
  }

  // What moves.
  if (moves.length) {
    checks.push(check('moves', moves.some((m) => m.to === null) ? 'refusal' : 'ok', 'What moves', moves.map((m) => `${m.instance}${m.syncGroup ? ` (sync group ${m.syncGroup})` : ''}: ${m.vips.join(', ')} from ${m.from ?? 'nobody'} to ${m.to ?? 'nobody'}`).join('; ')));
  } else if (action === 'enter') {
    checks.push(check('moves', 'ok', 'Nothing moves now', `${d} holds no VIPs: it stays BACKUP and will not take them while in maintenance`));
  }
  if (action === 'enter' && moves.length) {
    const nopre = myVrrp.filter((v) => v.preempt === false).map((v) => v.name);
    if (nopre.length) checks.push(check('give-back', 'warning', 'No automatic give back', `nopreempt on ${d} (${nopre.join(', ')}): after give back the VIPs stay on ${moves[0]?.to} until it fails`));
  }

  // Connection survival.
  const connections = survivalOf(planned.switch, facts, input.survival);
  if (planned.switch.giver && planned.switch.taker) checks.push(survivalCheck(connections));
  const nat = natConntrackCheck(snapshot, planned.switch, facts);
  if (nat) checks.push(nat);

  return {
    cluster: input.cluster,
    director: d,
    action,
    trackFile: track?.path ?? null,
    configHint,
    moves,
    connections,
    checks,
    allowed: blockingRefusals(checks, force).length === 0,
    takenAt: input.now,
  };
}

function survivalOf(sw: Switch, facts: PreflightInput['facts'], read: SurvivalRead | null): ConnectionSurvival {
  const errors: string[] = [];
  for (const f of Object.values(facts)) if (f.daemons.error) errors.push(`${f.daemons.director}: ${f.daemons.error}`);
  if (read?.error) errors.push(`connections: ${read.error}`);
  const counted = read && read.error === null ? read : null;
  return {
    director: sw.giver,
    established: counted?.established ?? null,
    wouldBreak: counted?.wouldBreak ?? null,
    peer: sw.taker,
    syncDaemons: Object.values(facts).map((f) => f.daemons),
    peerSloppyTcp: sw.taker ? (facts[sw.taker]?.sloppyTcp ?? null) : null,
    errors,
  };
}

/**
 * NAT services and netfilter's connection tracking: with net.ipv4.vs.conntrack = 1, IPVS keeps a
 * conntrack entry per connection and the director's stateful rules (ct state established, NAT of
 * other traffic) rely on them; the IPVS sync daemon does not carry those entries, conntrackd does.
 * With it 0 on both, IPVS keeps the NAT state itself and the sync daemon is what matters.
 */
function natConntrackCheck(snapshot: PreflightInput['snapshot'], sw: Switch, facts: PreflightInput['facts']): MaintenanceCheck | null {
  const nat = snapshot.services.filter((s) => s.realServers.some((r) => r.forward === 'Masq'));
  if (!sw.giver || !sw.taker || nat.length === 0) return null;
  const pair = [sw.giver, sw.taker];
  const f = (n: string) => facts[n];
  const title = 'NAT and conntrack';
  const what = `${nat.length} NAT service${nat.length > 1 ? 's' : ''} (${list(nat.map((s) => s.key), 3)})`;
  if (pair.some((n) => f(n)?.ipvsConntrack == null)) return check('conntrack', 'warning', title, `${what}: net.ipv4.vs.conntrack was not read on ${pair.filter((n) => f(n)?.ipvsConntrack == null).join(', ')}`);
  const tracking = pair.filter((n) => f(n)?.ipvsConntrack === true);
  if (tracking.length === 0) return check('conntrack', 'ok', title, `${what}; net.ipv4.vs.conntrack = 0 on ${pair.join(' and ')}: IPVS keeps the NAT state itself (the sync daemon above is what carries it)`);
  const without = pair.filter((n) => f(n)?.conntrackd !== true);
  if (without.length === 0) return check('conntrack', 'ok', title, `${what}; net.ipv4.vs.conntrack = 1 on ${tracking.join(', ')} and conntrackd runs on ${pair.join(' and ')}: netfilter's state follows the VIPs`);
  return check(
    'conntrack',
    'warning',
    title,
    `${what}; net.ipv4.vs.conntrack = 1 on ${tracking.join(', ')}: netfilter tracks their connections, and conntrackd does not run on ${without.join(', ')}, so ${sw.taker}'s conntrack will not know the connections moved from ${sw.giver} (a stateful rule there, ct state established, drops them). Run conntrackd on both, or check the firewall does not depend on that state`,
  );
}

function survivalCheck(c: ConnectionSurvival): MaintenanceCheck {
  const giver = c.syncDaemons.find((s) => s.director === c.director);
  const taker = c.syncDaemons.find((s) => s.director === c.peer);
  const syncd = giver?.master && taker?.backup ? `the sync daemon runs (master on ${c.director}, backup on ${c.peer}${giver.syncId !== taker.syncId ? `; syncid ${giver.syncId} vs ${taker.syncId}: they do not match` : ''})` : `no sync daemon carries ${c.director}'s connections to ${c.peer} (ipvsadm --start-daemon master on ${c.director}, backup on ${c.peer})`;
  if (c.established === null || c.wouldBreak === null) return check('connections', 'warning', 'Connections not counted', `${c.errors.join('; ') || 'the connection tables were not read'}; ${syncd}`);
  if (c.wouldBreak === 0) return check('connections', 'ok', 'Connections survive', `${c.established} established through ${c.director}, all known to ${c.peer}; ${syncd}`);
  const sloppy = c.peerSloppyTcp ? ` (${c.peer} has sloppy_tcp on: it picks up mid-stream TCP, for services whose real servers accept it)` : '';
  return check('connections', 'warning', 'Connections will break', `${c.wouldBreak} of ${c.established} established connections through ${c.director} are unknown to ${c.peer} and break at the switch${sloppy}; ${syncd}`);
}
