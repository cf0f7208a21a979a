import 'server-only';
import { NextResponse } from 'next/server';
import { z } from 'zod';
import { describeIssues } from '@/server/config/load';
import { hasErrorBrand, isDomainError, type DomainErrorKind } from '@/server/errors';

// The lib/models schemas are zod/mini, which installs no locale (classic zod installs English when it
// builds its first schema): English issue messages for every route and lvsctl, whatever they load.
z.config(z.locales.en());

// The edge's error type: a closed list of codes, each mapped to an HTTP status here. Domain code
// throws DomainError (server/errors.ts); DOMAIN_ERROR_CODE below is the one table turning its kinds
// into these codes.

export const API_ERROR_STATUS = {
  'bad-request': 400,
  unauthorized: 401,
  forbidden: 403,
  'not-found': 404,
  conflict: 409,
  /** A request body over its limit (server/api/body.ts: 64 KiB, login 8 KiB). */
  'too-large': 413,
  validation: 422,
  'rate-limited': 429,
  internal: 500,
  'director-failed': 502,
  unavailable: 503,
} as const;
export type ApiErrorCode = keyof typeof API_ERROR_STATUS;

/** What each domain error kind is answered with. */
export const DOMAIN_ERROR_CODE: Record<DomainErrorKind, ApiErrorCode> = {
  invalid: 'validation',
  'not-found': 'not-found',
  conflict: 'conflict',
  forbidden: 'forbidden',
  unavailable: 'unavailable',
  'director-failed': 'director-failed',
};

const API_ERROR_BRAND = Symbol.for('lvs-console.ApiError');

export class ApiError extends Error {
  override readonly name = 'ApiError';
  readonly [API_ERROR_BRAND] = true;
  constructor(
    readonly code: ApiErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

/** An ApiError, or another bundled copy of the class (hasErrorBrand). */
export function isServerApiError(e: unknown): e is ApiError {
  return e instanceof ApiError || hasErrorBrand(e, API_ERROR_BRAND, 'code', Object.keys(API_ERROR_STATUS));
}

/** A domain error as the ApiError it is answered with (anything else unchanged). */
export function toApiError(e: unknown): unknown {
  if (isDomainError(e)) return new ApiError(DOMAIN_ERROR_CODE[e.kind], e.message, e.details);
  // The PostgreSQL store did not answer (server/db/postgres.ts StoreError, by name: bundles may hold two copies).
  if (e instanceof Error && e.name === 'StoreError') return new ApiError('unavailable', `this console cannot reach its store: ${e.message}`);
  return e;
}

export function errorResponse(thrown: unknown): NextResponse {
  const e = toApiError(thrown);
  if (isServerApiError(e)) {
    return NextResponse.json(
      { error: { code: e.code, message: e.message, ...(e.details === undefined ? {} : { details: e.details }) } },
      { status: API_ERROR_STATUS[e.code] },
    );
  }
  // zod can be bundled twice as well: recognise its errors by shape too. $ZodError covers both
  // classic zod's ZodError and the one zod/mini schemas (lib/models) throw, named '$ZodError'.
  if (e instanceof z.core.$ZodError || (e instanceof Error && (e.name === 'ZodError' || e.name === '$ZodError') && Array.isArray((e as { issues?: unknown }).issues))) {
    return NextResponse.json({ error: { code: 'validation', message: describeIssues((e as z.core.$ZodError).issues) } }, { status: 422 });
  }
  // Unknown failures: log the detail on the server, tell the client only that it failed.
  console.error('[api] unexpected error', e);
  return NextResponse.json({ error: { code: 'internal', message: 'internal error (see the server log)' } }, { status: 500 });
}
