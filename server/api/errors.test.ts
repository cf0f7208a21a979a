import { describe, expect, it } from 'vitest';
import { DomainError } from '@/server/errors';
import { API_ERROR_STATUS, ApiError, DOMAIN_ERROR_CODE, errorResponse, isServerApiError } from './errors';

describe('errorResponse', () => {
  it('maps an ApiError to its status even when it comes from another copy of the class (bundled twice)', async () => {
    const original = new ApiError('conflict', 'refused: last serving real server', { refusals: ['x'] });
    // What a second bundled copy of the class produces: same brand, different prototype.
    const foreign = Object.assign(Object.create(Error.prototype) as Error, original, { message: original.message, name: 'ApiError' });
    for (const s of Object.getOwnPropertySymbols(original)) (foreign as unknown as Record<symbol, unknown>)[s] = (original as unknown as Record<symbol, unknown>)[s];
    expect(foreign instanceof ApiError).toBe(false);
    expect(isServerApiError(foreign)).toBe(true);
    const r = errorResponse(foreign);
    expect(r.status).toBe(409);
    expect(await r.json()).toEqual({ error: { code: 'conflict', message: 'refused: last serving real server', details: { refusals: ['x'] } } });
  });

  it('does not trust a look-alike without the brand, or an unknown code', () => {
    expect(isServerApiError({ name: 'ApiError', code: 'conflict', message: 'x' })).toBe(false);
    const branded = new ApiError('conflict', 'x');
    expect(isServerApiError(Object.assign(Object.create(null) as object, { ...branded, code: 'nope' }, Object.fromEntries(Object.getOwnPropertySymbols(branded).map((s) => [s, true]))))).toBe(false);
    expect(errorResponse(new Error('boom')).status).toBe(500);
  });

  it('answers a domain error with the code and status of its kind (one table), details kept', async () => {
    const r = errorResponse(new DomainError('conflict', 'refused: x', { refusals: ['x'] }));
    expect(r.status).toBe(409);
    expect(await r.json()).toEqual({ error: { code: 'conflict', message: 'refused: x', details: { refusals: ['x'] } } });
    expect(errorResponse(new DomainError('invalid', 'weight: bad')).status).toBe(422);
    expect(errorResponse(new DomainError('unavailable', 'audit')).status).toBe(503);
    expect(errorResponse(new DomainError('director-failed', 'x')).status).toBe(502);
    for (const [kind, code] of Object.entries(DOMAIN_ERROR_CODE)) expect(API_ERROR_STATUS[code], kind).toBeGreaterThanOrEqual(400);
  });
});
