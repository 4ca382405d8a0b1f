#!/usr/bin/env node
/** The `heatbath` command. */
import { Command } from 'commander';
import { engineInfo } from '../index';
import { heatbathVersion } from '../util/version';
import { GTC_DEFAULTS } from '../models/gtc';
import { DTM_DEFAULTS } from '../models/dtm';
import { ROOM_TEMPERATURE } from '../models/energy';
import { integer, MAX_SEED, real } from './arguments';
import { MAX_THREADS } from '../util/validate';
import { DEFAULT_LIMITS } from '../serve/limits';
import { formatGtcDemo, runGtcDemo } from './demo-gtc';
import { formatIsingDemo, runIsingDemo } from './demo-ising';
import { reportError } from './exit';
import { evalCommand, formatEval } from './eval';
import { formatSample, sampleCommand } from './sample';
import { formatMergeDtm, mergeDtmCommand } from './merge-dtm';
import { stoppable, stopExitCode } from './signals';
import { DEFAULT_JUMPS, DEFAULT_SIZE, formatTrainDtm, trainDtmCommand } from './train-dtm';
import { formatTrainGtc, trainGtcCommand } from './train-gtc';
import { formatTngdStudy, tngdCommand } from './tngd';
import { formatStudyBits, studyBitsCommand } from './study-bits';
import { DEFAULT_HIDDEN, formatTrainRbm, trainRbmCommand } from './train-rbm';

/** Prints a command's report (JSON with --json); one stopped by a signal exits with 130 (SIGINT) or 143 (SIGTERM). */
function printReport<R>(report: R, json: boolean, format: (report: R) => string): void {
  console.log(json ? JSON.stringify(report, null, 2) : format(report));
  const stopped = stopExitCode() ?? ((report as { interrupted?: boolean }).interrupted ? 130 : undefined);
  if (stopped !== undefined) process.exitCode = stopped;
}

/** Commands with the option groups several of them share. */
class HeatbathCommand extends Command {
  override createCommand(name?: string): HeatbathCommand {
    return new HeatbathCommand(name);
  }

  /** --seed, --threads and --json. */
  runOptions(): this {
    return this.option('--seed <n>', 'random seed', integer(0, MAX_SEED), 1)
      .option('--threads <n>', 'threads (default: all cores)', integer(1, MAX_THREADS))
      .option('--json', 'print machine-readable JSON');
  }

  /** Where training digits come from and how they are binarized and split. */
  dataOptions(binarize: 'threshold' | 'none'): this {
    return this.option(
      '--data <mnist|images.idx>',
      'training data: the bundled MNIST digits or an IDX images file (.gz or not)',
      'mnist',
    )
      .option('--labels <labels.idx>', 'IDX labels for --data (for a stratified split and class labels)')
      .option('--binarize <mode>', 'threshold | stochastic | none (grey pixels)', binarize)
      .option('--test-fraction <f>', 'held-out share of the data, between 0 and 1', real({ above: 0, below: 1 }), 0.1);
  }
}

const program = new HeatbathCommand();
program
  .name('heatbath')
  .description('Thermodynamic-computer simulator: p-bit Gibbs sampling and Langevin dynamics on a SIMD C++ core')
  .version(heatbathVersion(), '-v, --version', 'print the version')
  // Usage errors are printed as one line by reportError (exit.ts), not by commander with the help after them.
  .exitOverride()
  .configureOutput({ outputError: () => {} })
  // A subcommand's options are its own: `demo ising --out x.png` must not set the options of `demo`.
  .enablePositionalOptions();

const demo = program
  .command('demo')
  .description('the generative thermodynamic computer drawing digits from noise (trains a small model on first use)')
  .option('--out <file.png>', 'where to write the samples', 'heatbath-demo.png')
  .option('--cache-dir <dir>', 'where the trained model is kept between runs (default: ~/.cache/heatbath)')
  .option('--retrain', 'train again even if the cache holds a model')
  .option('--images <n>', 'training images (bundled digits, every class equally)', integer(1), 2000)
  .option('--hidden <n>', 'hidden units', integer(1), 512)
  .option('--epochs <n>', 'passes over the training images', integer(1), 2)
  .option('--stride <n>', 'train on every n-th step of each trajectory', integer(1), 8)
  .option('--duration <t>', 'length t_f of each Langevin phase', real({ above: 0 }), 2.5)
  .option('--per-class <n>', 'samples of each digit', integer(0), 10)
  .option('--unconditional <n>', 'samples without a class', integer(0), 10)
  .option('--temperature <K>', 'physical temperature for the heat in joules', real({ above: 0 }), ROOM_TEMPERATURE)
  .runOptions()
  .action(async (opts) => {
    const report = await runGtcDemo({ ...opts, retrain: Boolean(opts.retrain), json: Boolean(opts.json) });
    printReport(report, opts.json, formatGtcDemo);
  });
demo
  .command('ising')
  .description('sample a 256×256 Ising model across the critical temperature and write a PNG strip')
  .option('--size <L>', 'lattice side', integer(2), 256)
  .option('--chains <n>', 'chains per temperature', integer(1), 64)
  .option('--sweeps <n>', 'warm-up sweeps per temperature', integer(1), 1000)
  .option('--out <file.png>', 'where to write the snapshots', 'heatbath-demo.png')
  .runOptions()
  .action(async (opts) => {
    const result = await runIsingDemo({ ...opts, json: Boolean(opts.json) });
    printReport(result, opts.json, (r) => formatIsingDemo(r, opts.size));
  });

const train = program.command('train').description('train a model on data and save it as .safetensors');
train
  .command('rbm')
  .description('a restricted Boltzmann machine on digits, with CD-k or persistent CD')
  .dataOptions('threshold')
  .option('--hidden <n>', `hidden units (default ${DEFAULT_HIDDEN}; with --init, the file's)`, integer(1))
  .option('--epochs <n>', 'passes over the training data', integer(1), 20)
  .option('--batch <n>', 'mini-batch size', integer(1), 64)
  .option('--method <cd|pcd>', 'cd or pcd (persistent chains)', 'pcd')
  .option('--k <n>', 'Gibbs sweeps per gradient estimate', integer(1), 1)
  .option('--chains <n>', 'persistent chains for pcd (default: the batch size)', integer(1))
  .option(
    '--lr <schedule>',
    'learning rate: 0.01, cosine:0.05:0.001, step:0.1:0.5:10, warmup:100:cosine:0.05:0.001',
    '0.01',
  )
  .option('--optimizer <sgd|adam>', 'sgd (with --momentum) or adam', 'sgd')
  .option('--momentum <m>', 'SGD momentum, in [0, 1)', real({ min: 0, below: 1 }), 0.5)
  .option('--weight-decay <w>', 'L2 weight decay on the couplings', real({ min: 0 }), 1e-4)
  .option('--checkpoint-every <n>', 'also save the model every n epochs', integer(1))
  .option(
    '--init <model.safetensors>',
    'continue from a saved RBM (a checkpoint) instead of random weights (--hidden may only repeat its size)',
  )
  .option('--ais', 'estimate log Z and the log-likelihood with annealed importance sampling at the end')
  .option('--ais-steps <n>', 'AIS intermediate distributions (fewer bias log Z low)', integer(1), 10000)
  .option('--ais-runs <n>', 'AIS runs', integer(2), 100)
  .option('--out <model.safetensors>', 'where to write the model', 'rbm.safetensors')
  .runOptions()
  .action(async (opts) => {
    const report = await trainRbmCommand({ ...opts, ais: Boolean(opts.ais), json: Boolean(opts.json) });
    printReport(report, opts.json, formatTrainRbm);
  });

train
  .command('gtc')
  .description('a generative thermodynamic computer on digits, by reverse-path likelihood of noising trajectories')
  .dataOptions('none')
  .option('--images <n>', 'train on n of the training images (every class keeping its share; default all)', integer(1))
  .option('--hidden <n>', `hidden units (default ${GTC_DEFAULTS.hidden}; with --init, the file's)`, integer(1))
  .option('--conditional', 'add one label unit per class and train with the labels (class-conditional generation)')
  .option('--epochs <n>', 'passes over the training images', integer(1), 1)
  .option('--batch <n>', 'trajectories per update', integer(1), 32)
  .option(
    '--stride <n>',
    'use every n-th step of each trajectory (an unbiased estimate of the path gradient)',
    integer(1),
    10,
  )
  .option(
    '--chunk-steps <n>',
    'used steps per matrix product (default: about 1,024 rows); with --update online, per update',
    integer(1),
  )
  .option('--update <mode>', 'trajectory (one update per batch) | online (one per chunk of steps)', 'trajectory')
  .option(
    '--lr <schedule>',
    'learning rate: 0.001, cosine:0.003:0.0003, step:0.001:0.5:100, warmup:50:cosine:0.003:0.0003',
    '0.001',
  )
  .option('--optimizer <adam|sgd>', 'adam or sgd', 'adam')
  .option('--weight-decay <w>', 'L2 weight decay on the couplings', real({ min: 0 }), 0)
  .option(
    '--label-dropout <p>',
    'share of labelled trajectories trained without their label (for unconditional generation), in [0, 1]',
    real({ min: 0, max: 1 }),
    0.2,
  )
  .option(
    '--label-init <data|zero>',
    'starting label couplings of a new model: data (each class writes its mean image, the default) or zero',
  )
  .option('--kt <kT>', `temperature kT of the bath (default ${GTC_DEFAULTS.kT})`, real({ above: 0 }))
  .option('--dt <dt>', `Euler–Maruyama time step (default ${GTC_DEFAULTS.dt})`, real({ above: 0 }))
  .option('--duration <t>', `length t_f of each phase (default ${GTC_DEFAULTS.duration})`, real({ above: 0 }))
  .option('--j2 <J2>', `on-site quadratic strength (default ${GTC_DEFAULTS.J2})`, real({ above: 0 }))
  .option('--j4 <J4>', `on-site quartic strength (default ${GTC_DEFAULTS.J4})`, real({ min: 0 }))
  .option('--mobility <mu>', `mobility μ (default ${GTC_DEFAULTS.mobility})`, real({ above: 0 }))
  .option(
    '--init <model.safetensors>',
    'continue from a saved gtc model (a checkpoint); its size and physics come from the file (--hidden, --kt, --dt, --duration, --j2, --j4, --mobility may only repeat them)',
  )
  .option('--checkpoint-every <n>', 'also save the model every n epochs', integer(1))
  .option('--out <model.safetensors>', 'where to write the model', 'gtc.safetensors')
  .runOptions()
  .action(async (opts) => {
    const report = await trainGtcCommand({ ...opts, conditional: Boolean(opts.conditional), json: Boolean(opts.json) });
    printReport(report, opts.json, formatTrainGtc);
  });

train
  .command('dtm')
  .description("a denoising thermodynamic model (Extropic's DTM): T conditional Boltzmann machines on a p-bit torus")
  .dataOptions('threshold')
  .option('--images <n>', 'train on n of the training images (every class keeping its share; default all)', integer(1))
  .option('--size <L>', `side of the L×L torus, even (default ${DEFAULT_SIZE})`, integer(2))
  .option('--jumps <G8|G12|G16|G20|G24>', `jump set of the torus (default ${DEFAULT_JUMPS})`)
  .option('--steps <T>', `denoising steps (default ${DTM_DEFAULTS.steps})`, integer(1))
  .option('--train-steps <list>', 'train only these steps, e.g. 1,2 or 5-8 (they are independent)')
  .option('--conditional', 'add one-hot label nodes (10 per class) for class-conditional generation')
  .option('--image-rate <r>', `noising rate of the pixels (default ${DTM_DEFAULTS.imageRate})`, real({ above: 0 }))
  .option('--label-rate <r>', `noising rate of the label bits (default ${DTM_DEFAULTS.labelRate})`, real({ above: 0 }))
  .option('--epochs <n>', 'passes over the training images, per step', integer(1), 10)
  .option('--batch <n>', 'pairs per update (one chain each)', integer(1), 128)
  .option('--warmup <n>', 'sweeps before the first sample of each phase', integer(0), 100)
  .option('--samples <n>', 'samples per phase', integer(1), 20)
  .option('--thin <n>', 'sweeps between samples', integer(1), 5)
  .option(
    '--lr <schedule>',
    'learning rate: 0.02, cosine:0.02:0.0036, step:0.02:0.5:100, warmup:50:cosine:0.02:0.002',
    'cosine:0.02:0.0036',
  )
  .option('--no-acp', 'train without the adaptive correlation penalty')
  .option(
    '--acp-threshold <ac>',
    'autocorrelation the penalty aims below, in (0, 1)',
    real({ above: 0, below: 1 }),
    0.03,
  )
  .option(
    '--acp-every <n>',
    "updates between the penalty controller's measurements (default: once per epoch)",
    integer(1),
  )
  .option(
    '--init <model.safetensors>',
    'continue from a saved dtm model (a checkpoint); its layout comes from the file (--size, --jumps, --steps, --image-rate, --label-rate may only repeat it)',
  )
  .option('--checkpoint-every <n>', 'also save the model every n epochs', integer(1))
  .option('--curves <file.json>', 'write the training curves (per epoch and step) here after every epoch')
  .option(
    '--precision <c:r>',
    "train in the loop on a p-bit chip's arithmetic: the sampler uses c-bit couplings and biases and r-bit random draws (c:r:f for f-bit biases); the float parameters are updated and re-quantized every batch",
  )
  .option('--out <model.safetensors>', 'where to write the model', 'dtm.safetensors')
  .runOptions()
  .action(async (opts) => {
    const report = await trainDtmCommand({ ...opts, conditional: Boolean(opts.conditional), json: Boolean(opts.json) });
    printReport(report, opts.json, formatTrainDtm);
  });

program
  .command('merge')
  .description('put together models trained in parts')
  .command('dtm <parts...>')
  .description('a denoising model from the steps of copies trained separately: a.safetensors:1-4 b.safetensors:5-8')
  .requiredOption('--out <model.safetensors>', 'where to write the merged model')
  .option('--json', 'print machine-readable JSON')
  .action(async (parts, opts) => printReport(await mergeDtmCommand(parts, opts.out), opts.json, formatMergeDtm));

program
  .command('sample <model>')
  .description('draw samples from a model file (rbm, gtc or dtm); write a PNG grid or a .npy array')
  .option('--n <count>', 'number of samples (independent chains)', integer(1), 100)
  .option('--sweeps <n>', 'rbm: Gibbs sweeps from noise; dtm: sweeps per denoising step', integer(1), 1000)
  .option('--beta <b>', 'rbm: inverse temperature', real({ min: 0 }), 1)
  .option('--labels <digit|all>', 'gtc, dtm: generate this class, or all classes in order (n / classes each)')
  .option('--anneal <from:to>', 'dtm: β annealed within each denoising step', '0.8:1.2')
  .option('--inpaint <top|bottom|left|right>', 'dtm: hold that half of n bundled digits fixed and sample the rest')
  .option('--path <file.png>', 'dtm: also draw the denoising path, a row per step')
  .option('--cell-energy <J>', 'dtm: energy per node update of the p-bit hardware', real({ above: 0 }), 2e-15)
  .option('--temperature <K>', 'gtc: physical temperature for the heat in joules', real({ above: 0 }), ROOM_TEMPERATURE)
  .option(
    '--precision <c:r>',
    "rbm, dtm: sample on a p-bit chip's arithmetic: c-bit couplings and biases, r-bit random draws (c:r:f for f-bit biases), e.g. 6:8",
  )
  .option('--states', 'write the raw states (rbm: binary units; gtc: visible units, .npy only) instead of images')
  .option('--out <file>', 'samples.png or samples.npy', 'samples.png')
  .runOptions()
  .action(async (model, opts) => {
    const report = await sampleCommand(model, { ...opts, states: Boolean(opts.states), json: Boolean(opts.json) });
    printReport(report, opts.json, formatSample);
  });

program
  .command('study')
  .description('studies that sample model files many ways and report figures, tables and pictures')
  .command('bits')
  .description(
    'how many bits does a p-bit need? sample an RBM and a DTM at coupling × randomness precisions (and float), score with eval, time the spin updates',
  )
  .option('--rbm <model.safetensors>', 'an RBM of 28×28 digits')
  .option('--dtm <model.safetensors>', 'a denoising model (dtm) of 28×28 digits')
  .option('--coupling-bits <list>', 'coupling (and bias) bits, e.g. 3-8 (default 3-8; --quick: 3,8)')
  .option('--random-bits <list>', 'bits per random draw, e.g. 4,6,8,12,16 (default 4,6,8,12,16; --quick: 4,16)')
  .option('--n <count>', 'samples per cell (default 200; --quick: 20)', integer(2))
  .option('--rbm-sweeps <n>', 'rbm: Gibbs sweeps from noise (default 1000; --quick: 20)', integer(1))
  .option('--dtm-sweeps <n>', 'dtm: sweeps per denoising step (default 400; --quick: 10)', integer(1))
  .option('--quick', 'a small grid with few samples and sweeps (a check that it all runs)')
  .option('--cache-dir <dir>', 'keep the trained scoring classifier here between runs')
  .option('--out <file.json>', 'where to write the figures', 'bits.json')
  .option('--png <file.png>', 'where to draw the heat maps', 'bits.png')
  .runOptions()
  .action(async (opts) => {
    const report = await stoppable((signal) =>
      studyBitsCommand({ ...opts, quick: Boolean(opts.quick), json: Boolean(opts.json), signal }),
    );
    printReport(report, opts.json, formatStudyBits);
  });

program
  .command('eval <samples.npy>')
  .description(
    'how digit-like images are and how much of the data they cover: classifier confidence, class coverage, Fréchet distance, within-class diversity, precision and recall',
  )
  .option('--seed <n>', 'seed of the reference digits and noise', integer(0, MAX_SEED), 1)
  .option('--cache-dir <dir>', 'keep the trained scoring classifier here between runs')
  .option(
    '--labels <digit|all>',
    'the samples were drawn for these classes (as sample --labels): also report how often they are classified so',
  )
  .option('--json', 'print machine-readable JSON')
  .action(async (file, opts) => {
    const result = await evalCommand(file, { seed: opts.seed, cacheDir: opts.cacheDir, labels: opts.labels });
    printReport(result, opts.json, formatEval);
  });

program
  .command('tngd')
  .description(
    'thermodynamic natural gradient descent against SGD, Adam and exact natural gradient, on the bundled digits',
  )
  .option('--model <mlp|logistic>', 'the classifier to train', 'mlp')
  .option('--hidden <n>', 'hidden units of the MLP', integer(1), 64)
  .option('--iterations <n>', 'updates per optimizer', integer(1), 500)
  .option('--eval-every <n>', 'iterations between test evaluations (points of the curves)', integer(1), 5)
  .option('--batch <n>', 'examples per update', integer(1), 32)
  .option(
    '--optimizers <list>',
    'comma-separated specs name[:key=value]... (keys lr, t, td, dt, lambda (default 1), kappa), e.g. adam:lr=0.003,tngd:t=20:td=5',
  )
  .option('--test-fraction <f>', 'held-out share of the digits, between 0 and 1', real({ above: 0, below: 1 }), 0.2)
  .option('--out <curves.json>', 'where to write the curves', 'tngd-curves.json')
  .option('--plot <curves.png>', 'where to draw the curves', 'tngd-curves.png')
  .option('--seed <n>', 'random seed (split, weights, batches, device noise)', integer(0, MAX_SEED), 1)
  .option('--json', 'print machine-readable JSON')
  .action(async (opts) => {
    const optimizers = opts.optimizers === undefined ? undefined : String(opts.optimizers).split(',');
    const report = await stoppable((signal) => tngdCommand({ ...opts, optimizers, json: Boolean(opts.json) }, signal));
    printReport(report, opts.json, formatTngdStudy);
  });

program
  .command('bench')
  .description('run the benchmark suites (figures as ratios to this machine’s multiply-add ceiling)')
  .option('--json', 'print an array of {name, value, unit, ...} records')
  .option('--filter <substring>', 'only benchmarks whose name contains this')
  .option('--out <dir>', 'directory for the results file', 'bench/results')
  .option('--threads <n>', 'threads (default: all cores)', integer(1, MAX_THREADS))
  .action(async (opts) => {
    const { runBenchCommand } = await import('./bench'); // loads benny only for this command
    await runBenchCommand({ json: Boolean(opts.json), filter: opts.filter, outDir: opts.out, threads: opts.threads });
  });

program
  .command('serve')
  .description('serve the models of a directory over HTTP: samples as JSON, .npy, PNG or streamed NDJSON')
  .requiredOption('--models <dir>', 'directory of .safetensors model files (name = file name without the suffix)')
  .option('--port <n>', 'TCP port (0: any free port)', integer(0, 65535), 8080)
  .option('--host <address>', 'address to listen on (other machines reach the server only if set)', '127.0.0.1')
  .option('--token-file <file>', 'require "Authorization: Bearer <token>" with the token this file holds')
  .option('--threads <n>', 'native threads per engine call (default: all cores)', integer(1, MAX_THREADS))
  .option(
    '--max-work <n>',
    'unit updates (n × sweeps × units) one request may cost',
    integer(1, Number.MAX_SAFE_INTEGER),
    DEFAULT_LIMITS.maxWork,
  )
  .option('--max-samples <n>', 'samples one request may ask for', integer(1), DEFAULT_LIMITS.maxSamples)
  .option('--max-running <n>', 'requests sharing the engine at once', integer(1, 4096), DEFAULT_LIMITS.maxRunning)
  .option('--max-queued <n>', 'requests waiting beyond those; more get 503', integer(0), DEFAULT_LIMITS.maxQueued)
  .option('--timeout <ms>', 'longest a request may take, queue included', integer(1), DEFAULT_LIMITS.timeoutMs)
  .option('--body-limit <bytes>', 'largest request body', integer(1024, 2 ** 30), DEFAULT_LIMITS.bodyLimit)
  .option(
    '--rate-limit <n>',
    'requests per minute per client address (0: none)',
    integer(0),
    DEFAULT_LIMITS.ratePerMinute,
  )
  .option('--queue <redis-url>', 'compute on the workers of this Redis job queue (heatbath worker) instead of here')
  .option('--log-level <level>', 'fatal, error, warn, info, debug, trace or silent', 'info')
  .action(async (opts) => {
    const { serveCommand } = await import('./serve'); // loads fastify and prom-client only for this command
    await serveCommand(opts);
  });

program
  .command('worker')
  .description('compute the sampling jobs of a Redis job queue (heatbath serve --queue) with the models of a directory')
  .requiredOption('--redis <url>', "the queue's Redis, e.g. redis://127.0.0.1:6379")
  .requiredOption('--models <dir>', "directory of .safetensors model files: the same files as the server's")
  .option('--concurrency <n>', 'jobs computed at once', integer(1, 1024), 1)
  .option('--threads <n>', 'native threads per engine call (default: all cores)', integer(1, MAX_THREADS))
  .action(async (opts) => {
    const { workerCommand } = await import('./worker'); // loads bullmq and ioredis only for this command
    await workerCommand(opts);
  });

program
  .command('info')
  .description('show the version and the native engine: SIMD level, threads, the binary loaded')
  .option('--json', 'print machine-readable JSON')
  .action((opts) => {
    const info = {
      version: heatbathVersion(),
      node: process.version,
      platform: `${process.platform}-${process.arch}`,
      ...engineInfo(),
    };
    printReport(info, Boolean(opts.json), (i) =>
      Object.entries(i)
        .map(([key, value]) => `${key.padEnd(16)} ${value}`)
        .join('\n'),
    );
  });

program.parseAsync(process.argv).catch((err: unknown) => {
  process.exitCode = reportError(err);
});
