// The one error every parser throws for output that is not what it should be.
// It names the input kind, the 1-based line number and the offending line, so an
// operator can see exactly what a director printed that we did not understand.

export class ParseError extends Error {
  override readonly name = 'ParseError';
  constructor(
    /** What was being parsed, e.g. "ipvsadm", "ip-addr", "keepalived-data". */
    readonly kind: string,
    /** 1-based line number, or 0 when the input as a whole is wrong (e.g. empty, bad JSON). */
    readonly line: number,
    /** The offending line, verbatim (truncated to 200 characters). */
    readonly text: string,
    /** What was expected there. */
    readonly reason: string,
  ) {
    const shown = text.length > 200 ? `${text.slice(0, 200)}…` : text;
    super(line > 0 ? `${kind}: line ${line}: ${reason}: ${JSON.stringify(shown)}` : `${kind}: ${reason}`);
  }
}

/** What parseJsonDocument needs of a schema (a zod schema's safeParse). */
interface JsonShape<T> {
  safeParse(data: unknown): { success: true; data: T } | { success: false; error: { issues: readonly { path: readonly unknown[]; message: string }[] } };
}

/** A whole JSON document of a known shape; empty input, bad JSON or a wrong shape -> ParseError line 0. */
export function parseJsonDocument<T>(kind: string, text: string, shape: JsonShape<T>): T {
  if (text.trim() === '') throw new ParseError(kind, 0, '', 'empty input');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new ParseError(kind, 0, '', `invalid JSON (${e instanceof Error ? e.message : 'parse error'})`);
  }
  const r = shape.safeParse(json);
  if (!r.success) {
    const issue = r.error.issues[0];
    throw new ParseError(kind, 0, '', `unexpected shape at [${issue ? issue.path.join('.') : '?'}]: ${issue?.message ?? 'invalid'}`);
  }
  return r.data;
}
