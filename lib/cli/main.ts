#!/usr/bin/env node
/** The `heatbath` command. */
import { Command, InvalidArgumentError } from 'commander';
import { HeatbathError } from '../errors';
import { engineInfo } from '../index';
import { formatDemo, runDemo } from './demo';
import { runBenchCommand } from './bench';

function integer(min: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min) throw new InvalidArgumentError(`expected an integer >= ${min}`);
    return n;
  };
}

const program = new Command();
program
  .name('heatbath')
  .description('Thermodynamic-computer simulator: p-bit Gibbs sampling on a SIMD C++ core')
  .showHelpAfterError();

program
  .command('demo')
  .description('sample a 256×256 Ising model across the critical temperature and write a PNG strip')
  .option('--size <L>', 'lattice side', integer(2), 256)
  .option('--chains <n>', 'chains per temperature', integer(1), 64)
  .option('--sweeps <n>', 'warm-up sweeps per temperature', integer(1), 1000)
  .option('--out <file.png>', 'where to write the snapshots', 'heatbath-demo.png')
  .option('--seed <n>', 'random seed', integer(0), 1)
  .option('--threads <n>', 'threads (default: all cores)', integer(1))
  .option('--json', 'print machine-readable JSON')
  .action(async (opts) => {
    const result = await runDemo({ ...opts, json: Boolean(opts.json) });
    console.log(opts.json ? JSON.stringify(result, null, 2) : formatDemo(result, opts.size));
  });

program
  .command('bench')
  .description('run the benchmark suites (figures as ratios to this machine’s multiply-add ceiling)')
  .option('--json', 'print an array of {name, value, unit, ...} records')
  .option('--filter <substring>', 'only benchmarks whose name contains this')
  .option('--out <dir>', 'directory for the results file', 'bench/results')
  .option('--threads <n>', 'threads (default: all cores)', integer(1))
  .action(async (opts) => {
    await runBenchCommand({ json: Boolean(opts.json), filter: opts.filter, outDir: opts.out, threads: opts.threads });
  });

program
  .command('info')
  .description('show the native engine: SIMD level, threads, binary')
  .action(() => {
    console.log(JSON.stringify(engineInfo(), null, 2));
  });

program.parseAsync(process.argv).catch((err: unknown) => {
  if (err instanceof HeatbathError) {
    console.error(`heatbath: ${err.message} (${err.code})`);
  } else {
    console.error(err);
  }
  process.exitCode = 1;
});
