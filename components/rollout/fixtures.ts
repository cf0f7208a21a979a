import type { Rollout, RolloutHost } from '@/lib/models/rollout';

// Rollouts for the board's tests (the shapes the server answers with, built by hand).

export const T0 = 1_790_000_000_000;

export function host(p: Partial<RolloutHost> & Pick<RolloutHost, 'host'>): RolloutHost {
  return {
    batch: 1,
    step: 'pending',
    stepStartedAt: null,
    servers: [],
    rampIndex: -1,
    rampAt: null,
    connsAtCheck: null,
    note: null,
    connectionsLeft: null,
    finishedAt: null,
    ...p,
  };
}

export function rollout(p: Partial<Rollout> = {}): Rollout {
  return {
    id: '7',
    cluster: 'lab',
    kind: 'rollout',
    state: 'running',
    stopped: null,
    hosts: [],
    options: {
      batchSize: 1,
      drainDeadlineSeconds: 900,
      onDeadline: 'wait',
      maintenance: 'manual',
      maintenanceSeconds: null,
      ramp: [10, 25, 50, 100],
      stepSeconds: 2,
      checkSeconds: 60,
      checkNewConnections: true,
    },
    actor: 'alice',
    reason: 'e2e rollout',
    ticket: null,
    createdAt: T0,
    updatedAt: T0,
    endedAt: null,
    endedBy: null,
    callback: false,
    status: 'Batch 1 of 2: 192.0.2.11 in maintenance, waiting for done',
    log: [],
    ...p,
  };
}
