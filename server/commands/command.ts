import 'server-only';

// What a catalogue builder returns, and the validation error every builder throws.
// `CatalogueCommand` is branded: only `defineCommand` (used by the files in
// server/commands/) can make one, so `exec()` cannot be handed an argv that did not come
// from the closed catalogue. Do not import `defineCommand` outside server/commands/.

declare const catalogued: unique symbol;

export interface CatalogueCommand {
  /** The builder's name, e.g. "ipvsadmList" (for logs and audit). */
  readonly name: string;
  /** argv as run on the director, without the sudo prefix. */
  readonly argv: readonly string[];
  /** Needs root: run as `sudo -n -- argv` on directors configured with `sudo: true`. */
  readonly sudo: boolean;
  /**
   * Run as this (unprivileged) user: `sudo -n -u USER -- argv`, whatever the director's `sudo`
   * setting (e.g. the HAProxy wrapper as lvs-haproxy, the only user that can open the admin socket).
   */
  readonly runAs?: string;
  /** One line for humans: what it does and why it is safe. */
  readonly description: string;
  /** Bytes for the command's stdin, if it reads any. */
  readonly stdin?: string;
  /** Exit codes that are not failures (default [0]); e.g. pidof exits 1 when nothing runs. */
  readonly okExitCodes: readonly number[];
  readonly [catalogued]: true;
}

export interface CommandSpec {
  name: string;
  argv: readonly string[];
  sudo: boolean;
  runAs?: string;
  description: string;
  stdin?: string;
  okExitCodes?: readonly number[];
}

/** Mint a catalogue command. For server/commands/* only. */
export function defineCommand(spec: CommandSpec): CatalogueCommand {
  for (const [i, a] of spec.argv.entries()) {
    // Validators make this impossible; keep a last line of defence at the door of the catalogue.
    if (typeof a !== 'string' || a.includes('\0')) {
      throw new CommandArgumentError(`argv[${i}]`, a, 'contains a NUL byte or is not a string', spec.name);
    }
  }
  if (spec.runAs !== undefined && (spec.sudo || !/^[a-z_][a-z0-9_-]{0,31}$/.test(spec.runAs))) {
    throw new CommandArgumentError('runAs', spec.runAs, 'a Unix user name, and not together with sudo', spec.name);
  }
  const cmd = {
    name: spec.name,
    argv: Object.freeze([...spec.argv]),
    sudo: spec.sudo,
    description: spec.description,
    okExitCodes: Object.freeze([...(spec.okExitCodes ?? [0])]),
    ...(spec.stdin === undefined ? {} : { stdin: spec.stdin }),
    ...(spec.runAs === undefined ? {} : { runAs: spec.runAs }),
  };
  return Object.freeze(cmd) as unknown as CatalogueCommand;
}

function preview(value: unknown): string {
  let s: string;
  if (typeof value === 'string') s = JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);
  else if (typeof value === 'number' || typeof value === 'boolean' || value === null || value === undefined) s = String(value);
  else s = `(${typeof value})`;
  return s;
}

/** A builder argument failed validation. Maps to HTTP 422. Names the field, never echoes long input. */
export class CommandArgumentError extends Error {
  override readonly name = 'CommandArgumentError';
  readonly code = 'invalid-argument' as const;
  constructor(
    /** Dotted path of the argument, e.g. "realServer.address". */
    readonly field: string,
    readonly value: unknown,
    readonly reason: string,
    /** The builder, e.g. "ipvsadmEditRealServer" (filled in by `builder`). */
    readonly command: string | null = null,
  ) {
    super(`${command ? `${command}: ` : ''}invalid ${field}: ${reason} (got ${preview(value)})`);
  }
}

/** Every builder, by name: `builder()` registers it (catalogue.ts exposes the whole list). */
const registry = new Map<string, (...args: never[]) => CatalogueCommand>();

export function registeredBuilders(): Readonly<Record<string, (...args: never[]) => CatalogueCommand>> {
  return Object.freeze(Object.fromEntries(registry));
}

/** Wrap a builder so validation errors name it, and register it under that name. */
export function builder<A extends unknown[]>(name: string, fn: (...args: A) => CatalogueCommand): (...args: A) => CatalogueCommand {
  const wrapped = (...args: A) => {
    try {
      return fn(...args);
    } catch (e) {
      if (e instanceof CommandArgumentError && e.command === null) {
        throw new CommandArgumentError(e.field, e.value, e.reason, name);
      }
      throw e;
    }
  };
  registry.set(name, wrapped as unknown as (...args: never[]) => CatalogueCommand);
  return wrapped;
}

/** The builder of a command that takes no arguments: always the same argv. */
export function fixedCommand(name: string, spec: Omit<CommandSpec, 'name'>): () => CatalogueCommand {
  return builder(name, (): CatalogueCommand => defineCommand({ name, ...spec }));
}
