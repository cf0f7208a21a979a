import { describe, expect, it } from 'vitest';
import { coversCluster, withinScope } from './auth';
import { clusterHealth } from './cluster';

describe('cluster scope', () => {
  it('coversCluster: null or absent covers every cluster, a list only its own', () => {
    expect(coversCluster(null, 'lab')).toBe(true);
    expect(coversCluster(undefined, 'lab')).toBe(true);
    expect(coversCluster(['lab'], 'lab')).toBe(true);
    expect(coversCluster(['lab', 'staging'], 'staging')).toBe(true);
    expect(coversCluster(['lab'], 'staging')).toBe(false);
    expect(coversCluster([], 'lab')).toBe(false);
  });
  it('withinScope: an unscoped actor reaches everything; a scoped one only non-empty subsets', () => {
    expect(withinScope(null, null)).toBe(true);
    expect(withinScope(null, ['lab'])).toBe(true);
    expect(withinScope(['lab'], ['lab'])).toBe(true);
    expect(withinScope(['lab', 'staging'], ['staging'])).toBe(true);
    expect(withinScope(['lab'], ['lab', 'staging'])).toBe(false);
    expect(withinScope(['lab'], null)).toBe(false);
    expect(withinScope(['lab'], undefined)).toBe(false);
    expect(withinScope(['lab'], [])).toBe(false);
  });
});

describe('clusterHealth', () => {
  it('is the worst severity among the findings; info does not count', () => {
    expect(clusterHealth([])).toBe('ok');
    expect(clusterHealth([{ severity: 'info' }])).toBe('ok');
    expect(clusterHealth([{ severity: 'info' }, { severity: 'warning' }])).toBe('warning');
    expect(clusterHealth([{ severity: 'warning' }, { severity: 'critical' }, { severity: 'info' }])).toBe('critical');
  });
});
