export interface ReportSummary { passed: number; failed: number; skipped: number; notes: string[] }
export function summarizeReport(file: string, text: string | null): ReportSummary;
export function summarize(reports: readonly { file: string; text: string | null }[]): ReportSummary & { line: string };
