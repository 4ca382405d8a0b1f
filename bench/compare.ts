/**
 * `npm run bench:compare <old.json> [new.json]`: flags every figure that fell by more than 10 %.
 * Figures are compared as ratios to each run's own multiply-add ceiling when both runs have them,
 * so a busier or slower machine does not read as a regression. Exits 1 if anything fell.
 */
import * as fs from 'fs';
import { BenchFile, BenchRecord } from '../lib/bench/record';

export const TOLERANCE = 0.1;

export interface Comparison {
  name: string;
  old?: number;
  new?: number;
  basis: 'ratio' | 'value';
  change?: number;
  regressed: boolean;
}

export function readBenchFile(file: string): BenchFile {
  let parsed: unknown;
  try {
    parsed = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`cannot read benchmark results ${file}: ${(err as Error).message}`);
  }
  const records = Array.isArray(parsed) ? parsed : (parsed as BenchFile)?.records;
  if (!Array.isArray(records) || !records.every((r) => typeof r?.name === 'string' && Number.isFinite(r?.value))) {
    throw new Error(`${file} is not a heatbath benchmark file (expected records with a name and a numeric value)`);
  }
  return Array.isArray(parsed) ? ({ records } as BenchFile) : (parsed as BenchFile);
}

export function compareRecords(before: BenchRecord[], after: BenchRecord[]): Comparison[] {
  const old = new Map(before.map((r) => [r.name, r]));
  const names = [...new Set([...before.map((r) => r.name), ...after.map((r) => r.name)])];
  const current = new Map(after.map((r) => [r.name, r]));
  return names.map((name) => {
    const a = old.get(name);
    const b = current.get(name);
    const basis = a?.ratio !== undefined && b?.ratio !== undefined ? 'ratio' : 'value';
    const x = a?.[basis] as number | undefined;
    const y = b?.[basis] as number | undefined;
    const change = x !== undefined && y !== undefined && x !== 0 ? y / x - 1 : undefined;
    return { name, old: x, new: y, basis, change, regressed: change !== undefined && change < -TOLERANCE };
  });
}

function format(c: Comparison): string {
  const num = (v?: number) => (v === undefined ? 'missing' : v.toPrecision(4));
  const change = c.change === undefined ? '' : `${c.change >= 0 ? '+' : ''}${(100 * c.change).toFixed(1)} %`;
  return `${c.regressed ? 'REGRESSED' : '         '} ${c.name.padEnd(16)} ${c.basis.padEnd(5)} ${num(c.old).padStart(10)} → ${num(c.new).padStart(10)}  ${change}`;
}

function main(argv: string[]): number {
  const [oldFile, newFile = 'bench/results/latest.json'] = argv;
  if (!oldFile) {
    console.error('usage: npm run bench:compare <old.json> [new.json (default bench/results/latest.json)]');
    return 2;
  }
  try {
    const comparisons = compareRecords(readBenchFile(oldFile).records, readBenchFile(newFile).records);
    comparisons.forEach((c) => console.log(format(c)));
    const fell = comparisons.filter((c) => c.regressed);
    console.log(fell.length ? `${fell.length} figure(s) fell by more than ${100 * TOLERANCE} %` : 'no regression');
    return fell.length ? 1 : 0;
  } catch (err) {
    console.error((err as Error).message);
    return 2;
  }
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
