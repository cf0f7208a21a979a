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
