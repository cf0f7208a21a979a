import { describe, expect, it } from 'vitest';
import { submitBlockers, type SubmitState } from './submit-blockers';

const ready: SubmitState = { planReady: true, planFailed: false, needsReason: true, reason: 'kernel update', refusedWithoutForce: false, badWeight: false, badLease: false };

describe('submitBlockers', () => {
  it('is empty when everything is in place', () => {
    expect(submitBlockers(ready)).toEqual([]);
  });
  it.each<[string, Partial<SubmitState>, string[]]>([
    ['no reason', { reason: '' }, ['reason required']],
    ['a blank reason', { reason: '   ' }, ['reason required']],
    ['no reason where none is needed (restore)', { needsReason: false, reason: '' }, []],
    ['a bad weight (no plan asked for)', { badWeight: true, planReady: false }, ['weight must be a whole number from 0 to 65535']],
    ['a bad lease', { badLease: true }, ['lease must be whole minutes or empty']],
    ['a refusal without force', { refusedWithoutForce: true }, ['tick Force to take the last serving real server out']],
    ['the plan still coming', { planReady: false }, ['working out the impact']],
    ['the plan failed', { planReady: false, planFailed: true }, ['the impact could not be worked out']],
    ['drain everywhere: HAProxy still being read', { haproxyUnread: 'reading' }, ['reading HAProxy']],
    ['drain everywhere: HAProxy not readable', { haproxyUnread: 'failed' }, ['HAProxy not read: untick it to act on LVS only']],
    ['drain everywhere: HAProxy refusal without its force', { haproxyRefusedWithoutForce: true }, ['HAProxy last UP server: tick its force']],
    ['several at once, most actionable first', { reason: '', refusedWithoutForce: true, badLease: true }, ['reason required', 'lease must be whole minutes or empty', 'tick Force to take the last serving real server out']],
  ])('%s', (_name, change, expected) => {
    expect(submitBlockers({ ...ready, ...change })).toEqual(expected);
  });
});
