#!/usr/bin/env node
/** The `heatbath` command. */
import { Command, InvalidArgumentError } from 'commander';
import { HeatbathError } from '../errors';
import { engineInfo } from '../index';
import { formatDemo, runDemo } from './demo';
import { runBenchCommand } from './bench';
import { evalCommand, formatEval } from './eval';
import { formatSample, sampleCommand } from './sample';
import { formatTrainRbm, trainRbmCommand } from './train-rbm';

function number(min: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isFinite(n) || n < min) throw new InvalidArgumentError(`expected a number >= ${min}`);
    return n;
  };
}

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

const train = program.command('train').description('train a model on data and save it as .safetensors');
train
  .command('rbm')
  .description('a restricted Boltzmann machine on digits, with CD-k or persistent CD')
  .option('--data <mnist|images.idx>', 'training data: the bundled MNIST digits or an IDX images file (.gz or not)', 'mnist')
  .option('--labels <labels.idx>', 'IDX labels for --data (for a stratified split)')
  .option('--binarize <mode>', 'threshold | stochastic | none', 'threshold')
  .option('--test-fraction <f>', 'held-out share of the data', number(0), 0.1)
  .option('--hidden <n>', 'hidden units', integer(1), 500)
  .option('--epochs <n>', 'passes over the training data', integer(1), 20)
  .option('--batch <n>', 'mini-batch size', integer(1), 64)
  .option('--method <cd|pcd>', 'cd or pcd (persistent chains)', 'pcd')
  .option('--k <n>', 'Gibbs sweeps per gradient estimate', integer(1), 1)
  .option('--chains <n>', 'persistent chains for pcd (default: the batch size)', integer(1))
  .option('--lr <schedule>', 'learning rate: 0.01, cosine:0.05:0.001, step:0.1:0.5:10, warmup:100:cosine:0.05:0.001', '0.01')
  .option('--optimizer <sgd|adam>', 'sgd (with --momentum) or adam', 'sgd')
  .option('--momentum <m>', 'SGD momentum', number(0), 0.5)
  .option('--weight-decay <w>', 'L2 weight decay on the couplings', number(0), 1e-4)
  .option('--checkpoint-every <n>', 'also save the model every n epochs', integer(1))
  .option('--init <model.safetensors>', 'continue from a saved RBM (a checkpoint) instead of random weights')
  .option('--ais', 'estimate log Z and the log-likelihood with annealed importance sampling at the end')
  .option('--ais-steps <n>', 'AIS intermediate distributions (fewer bias log Z low)', integer(1), 10000)
  .option('--ais-runs <n>', 'AIS runs', integer(2), 100)
  .option('--out <model.safetensors>', 'where to write the model', 'rbm.safetensors')
  .option('--seed <n>', 'random seed', integer(0), 1)
  .option('--threads <n>', 'threads (default: all cores)', integer(1))
  .option('--json', 'print machine-readable JSON')
  .action(async (opts) => {
    const report = await trainRbmCommand({ ...opts, ais: Boolean(opts.ais), json: Boolean(opts.json) });
    console.log(opts.json ? JSON.stringify(report, null, 2) : formatTrainRbm(report));
    if (report.interrupted) process.exitCode = 130;
  });

program
  .command('sample <model>')
  .description('draw samples from a model file; write a PNG grid or a .npy array')
  .option('--n <count>', 'number of samples (independent chains)', integer(1), 100)
  .option('--sweeps <n>', 'Gibbs sweeps from noise', integer(1), 1000)
  .option('--beta <b>', 'inverse temperature', number(0), 1)
  .option('--states', 'write the binary states instead of their probabilities')
  .option('--out <file>', 'samples.png or samples.npy', 'samples.png')
  .option('--seed <n>', 'random seed', integer(0), 1)
  .option('--threads <n>', 'threads (default: all cores)', integer(1))
  .option('--json', 'print machine-readable JSON')
  .action(async (model, opts) => {
    const report = await sampleCommand(model, { ...opts, states: Boolean(opts.states), json: Boolean(opts.json) });
    console.log(opts.json ? JSON.stringify(report, null, 2) : formatSample(report));
  });

program
  .command('eval <samples.npy>')
  .description('how digit-like images are: classifier confidence, class coverage, Fréchet distance')
  .option('--seed <n>', 'seed of the reference digits and noise', integer(0), 1)
  .option('--cache-dir <dir>', 'keep the trained scoring classifier here between runs')
  .option('--json', 'print machine-readable JSON')
  .action(async (file, opts) => {
    const result = await evalCommand(file, { seed: opts.seed, cacheDir: opts.cacheDir });
    console.log(opts.json ? JSON.stringify(result, null, 2) : formatEval(result));
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
