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
 * Whether `e` carries `brand` and a `field` whose value is one of `values`. Errors are recognised by
 * a global brand, not `instanceof`: the bundler can give a route and the server module that threw
 * two copies of a class (seen: a 409 refusal answered as a 500).
 */
export function hasErrorBrand(e: unknown, brand: symbol, field: string, values: readonly string[]): boolean {
  if (typeof e !== 'object' || e === null || (e as Record<symbol, unknown>)[brand] !== true) return false;
  const v = (e as Record<string, unknown>)[field];
  return typeof v === 'string' && values.includes(v);
}

export function isDomainError(e: unknown): e is DomainError {
  return e instanceof DomainError || hasErrorBrand(e, DOMAIN_ERROR_BRAND, 'kind', DOMAIN_ERROR_KINDS);
}
