/** `heatbath bench`: the benchmark runner, printing a table or (with --json) only the JSON records. */
import { runBench } from '../bench/run';
import { BenchRecord } from '../bench/record';
import { checkOutputFolder } from './outputs';

function line(r: BenchRecord): string {
  const ratio = r.ratio === undefined ? '' : `  ratio ${r.ratio.toFixed(4)}`;
  const rme = r.rme === undefined ? '' : `  ±${r.rme.toFixed(1)} %`;
  const perCall = r.name === 'pbit.small' ? `  ${(r.microsecondsPerCall as number).toFixed(1)} µs/call` : '';
  return `${r.name.padEnd(22)} ${r.value.toFixed(3).padStart(9)} ${r.unit.padEnd(9)}${ratio}${rme}${perCall}`;
}

export async function runBenchCommand(opts: {
  json: boolean;
  filter?: string;
  outDir: string;
  threads?: number;
}): Promise<void> {
  checkOutputFolder({ flag: '--out', file: opts.outDir });
  // benny announces each suite on stdout; with --json, stdout carries only the JSON array.
  const log = console.log;
  if (opts.json) console.log = (...args: unknown[]) => console.error(...args);
  try {
    const { records, file } = await runBench({
      filter: opts.filter,
      threads: opts.threads,
      outDir: opts.outDir,
      onRecord: opts.json ? undefined : (r) => console.log(line(r)),
    });
    if (opts.json) log(JSON.stringify(records, null, 2));
    else console.log(`results written to ${file}`);
  } finally {
    console.log = log;
  }
}
