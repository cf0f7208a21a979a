import 'server-only';
import { NextResponse } from 'next/server';
import { ZodError } from 'zod';
import { describeIssues } from '@/server/config/load';

// One error type with a closed list of codes, each mapped to an HTTP status here (habit 6).

export const API_ERROR_STATUS = {
  'bad-request': 400,
  unauthorized: 401,
  forbidden: 403,
  'not-found': 404,
  conflict: 409,
  validation: 422,
  'rate-limited': 429,
  internal: 500,
  'director-failed': 502,
  unavailable: 503,
} as const;
export type ApiErrorCode = keyof typeof API_ERROR_STATUS;

export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly code: ApiErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

export function errorResponse(e: unknown): NextResponse {
  if (e instanceof ApiError) {
    return NextResponse.json(
      { error: { code: e.code, message: e.message, ...(e.details === undefined ? {} : { details: e.details }) } },
      { status: API_ERROR_STATUS[e.code] },
    );
  }
  if (e instanceof ZodError) {
    return NextResponse.json({ error: { code: 'validation', message: describeIssues(e.issues) } }, { status: 422 });
  }
  // Unknown failures: log the detail on the server, tell the client only that it failed.
  console.error('[api] unexpected error', e);
  return NextResponse.json({ error: { code: 'internal', message: 'internal error (see the server log)' } }, { status: 500 });
}
