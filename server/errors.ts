// Errors of the domain (drains, HAProxy holds, the audit log, reads): what went wrong in the
// console's own terms, with no HTTP in it. The edge (server/api/errors.ts) turns each kind into an
// HTTP status and error code in one table; lvsctl's local commands turn them into exit codes.

export const DOMAIN_ERROR_KINDS = ['invalid', 'not-found', 'conflict', 'forbidden', 'unavailable', 'director-failed'] as const;
export type DomainErrorKind = (typeof DOMAIN_ERROR_KINDS)[number];

const DOMAIN_ERROR_BRAND = Symbol.for('lvs-console.DomainError');

export class DomainError extends Error {
  override readonly name = 'DomainError';
  readonly [DOMAIN_ERROR_BRAND] = true;
  constructor(
    readonly kind: DomainErrorKind,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

/**
 * Recognises a DomainError by a global brand, not `instanceof`: the bundler can give a route and the
 * server module that threw two copies of this class.
 */
export function isDomainError(e: unknown): e is DomainError {
  if (e instanceof DomainError) return true;
  if (typeof e !== 'object' || e === null || (e as Record<symbol, unknown>)[DOMAIN_ERROR_BRAND] !== true) return false;
  const kind = (e as { kind?: unknown }).kind;
  return typeof kind === 'string' && (DOMAIN_ERROR_KINDS as readonly string[]).includes(kind);
}
