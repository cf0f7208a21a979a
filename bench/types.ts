// One row of the `npm run bench` table. Every figure is printed beside its baseline,
// measured in the same run; targets are stated, never asserted.
export interface BenchRow {
  /** Section, e.g. "parser", "ssh", "api", "browser", "drain", "fleet". */
  group: string;
  /** What was measured, e.g. "ipvsadm -Lnc 1,000,000 rows: time". */
  name: string;
  value: number;
  unit: string;
  /** The same work done the way an operator would without us, in the same run. */
  baseline?: { name: string; value: number; unit: string };
  /** The goal in words, e.g. "<= awk", "< 300 MB", ">= 5x faster". */
  target?: string;
  /** true/false when a target exists and was judged; undefined when there is none. */
  met?: boolean;
  note?: string;
}

/** A bench module: `export async function run(ctx): Promise<BenchRow[]>`. */
export interface BenchContext {
  /** Absolute path of the project root. */
  root: string;
  /** Scratch directory (git-ignored), created before the run. */
  workDir: string;
  /** Whether the lab VM is up (some benches need it and skip with a row that says so otherwise). */
  labUp: boolean;
  log: (msg: string) => void;
}
export type BenchModule = { run: (ctx: BenchContext) => Promise<BenchRow[]> };
