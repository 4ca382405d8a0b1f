/** The summary of a run: outcomes per kind, and the distinct failures with an example of each. */
import { FAILURES, Outcome, OUTCOMES } from './outcome';

export interface CaseRecord {
  index: number;
  kind: string;
  outcome: Outcome;
  code?: string;
  detail?: string;
  /** The saved input and the command that replays it, for failures. */
  saved?: string;
  replay?: string;
  peakRssMb: number;
  seconds: number;
}

export interface Signature {
  kind: string;
  outcome: Outcome;
  what: string;
  count: number;
  example: CaseRecord;
}

/**
 * What makes two failures the same bug: kind, outcome and the first line of the detail with numbers and
 * paths blanked out.
 */
export function signatureOf(record: Pick<CaseRecord, 'detail'>): string {
  const first = (record.detail ?? '').split('\n').find((line) => line.trim() !== '') ?? '';
  return first
    .replace(/\/[^\s:'"]+/g, '<path>')
    .replace(/\d+(\.\d+)?/g, 'N')
    .slice(0, 140);
}

export function signatures(records: CaseRecord[]): Signature[] {
  const groups = new Map<string, Signature>();
  for (const record of records) {
    if (!FAILURES.has(record.outcome)) continue;
    const what = signatureOf(record);
    const key = `${record.kind}\u0000${record.outcome}\u0000${what}`;
    const group = groups.get(key);
    if (group) group.count++;
    else groups.set(key, { kind: record.kind, outcome: record.outcome, what, count: 1, example: record });
  }
  return [...groups.values()].sort((a, b) => a.kind.localeCompare(b.kind) || b.count - a.count);
}

export function countsByKind(
  records: CaseRecord[],
  kinds: string[],
): Record<string, Record<Outcome | 'cases', number>> {
  const table: Record<string, Record<Outcome | 'cases', number>> = {};
  for (const kind of [...kinds, 'total']) {
    table[kind] = { cases: 0, ok: 0, coded: 0, crash: 0, uncoded: 0, hang: 0, memory: 0 };
  }
  for (const r of records) {
    for (const row of [table[r.kind], table.total]) {
      row.cases++;
      row[r.outcome]++;
    }
  }
  return table;
}

export function formatTable(table: ReturnType<typeof countsByKind>): string {
  const columns = ['cases', ...OUTCOMES] as const;
  const lines = [['kind'.padEnd(12), ...columns.map((c) => c.padStart(8))].join('')];
  for (const [kind, row] of Object.entries(table))
    lines.push([kind.padEnd(12), ...columns.map((c) => String(row[c]).padStart(8))].join(''));
  return lines.join('\n');
}
