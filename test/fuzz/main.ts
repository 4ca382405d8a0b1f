#!/usr/bin/env node
/**
 * The fuzzer: `npm run fuzz -- [--seed n] [--cases n | --seconds s] [--jobs n] [--kinds a,b] [--out dir]`.
 * Writes valid seed files with the library's writers, mutates them case by case (case i of a seed is always
 * the same input), runs each case in a child process under a time limit and a memory cap, prints a table of
 * outcomes, saves every failing input under --out with the command that replays it, and exits 1 if any case
 * crashed, hung, threw an uncoded error or went over the memory cap.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Case, KINDS, makeCase } from './cases';
import { Limits, runLimited } from './child';
import { SCRATCH_DIR, SCRATCH_FIFO } from './formats/cli';
import { cliOutcome, FAILURES, ProcessEnd, runnerOutcome } from './outcome';
import { CaseRecord, countsByKind, formatTable, signatureOf, signatures } from './report';
import { makeSeeds, writeFixtures } from './seeds';

interface Options {
  seed: number;
  cases: number;
  seconds: number;
  jobs: number;
  kinds: string[];
  out: string;
  heapMb: number;
  rssMb: number;
  timeoutSeconds: number;
}

const ROOT = path.resolve(__dirname, '../../..');
const RUNNER = path.join(__dirname, 'runner.js');
const CLI = path.join(ROOT, 'dist/lib/cli/main.js');
/** CLI cases train and sample (tiny models, but a whole process with the bundled digits): more time. */
const CLI_TIME_FACTOR = 3;
/** Failing inputs kept per distinct failure; the rest are counted only. */
const KEEP_PER_SIGNATURE = 5;

function usage(problem: string): never {
  console.error(
    `fuzz: ${problem}\nusage: main.js [--seed n] [--cases n] [--seconds s] [--jobs n] [--kinds ${KINDS.join(',')}] [--out dir] [--timeout s] [--heap-mb n] [--rss-mb n]`,
  );
  process.exit(2);
}

function parseOptions(argv: string[]): Options {
  const env = process.env;
  const flags = new Map<string, string>();
  for (let k = 0; k < argv.length; k += 2) {
    if (!argv[k].startsWith('--') || argv[k + 1] === undefined) usage(`expected --flag value pairs, got "${argv[k]}"`);
    flags.set(argv[k].slice(2), argv[k + 1]);
  }
  const number = (name: string, fallback: string | undefined): number => {
    const text = flags.get(name) ?? fallback;
    const value = Number(text);
    if (text === undefined || !/^\d+$/.test(text) || !Number.isSafeInteger(value))
      usage(`--${name} needs a non-negative integer, got "${text}"`);
    return value;
  };
  const kinds = (flags.get('kinds') ?? env.FUZZ_KINDS ?? KINDS.join(',')).split(',');
  for (const kind of kinds) if (!KINDS.includes(kind)) usage(`unknown kind "${kind}"`);
  const cases = number('cases', env.FUZZ_CASES ?? '0');
  // With neither budget given, a minute and a half.
  const seconds = number('seconds', env.FUZZ_SECONDS ?? (cases === 0 ? '90' : '0'));
  for (const known of flags.keys())
    if (!['seed', 'cases', 'seconds', 'jobs', 'kinds', 'out', 'heap-mb', 'rss-mb', 'timeout'].includes(known))
      usage(`unknown flag --${known}`);
  return {
    seed: number('seed', env.FUZZ_SEED ?? '1'),
    cases,
    seconds,
    jobs: Math.max(1, number('jobs', env.FUZZ_JOBS ?? '2')),
    kinds,
    out: path.resolve(flags.get('out') ?? env.FUZZ_OUT ?? 'fuzz-failures'),
    heapMb: number('heap-mb', '512'),
    rssMb: number('rss-mb', '1024'),
    timeoutSeconds: number('timeout', '10'),
  };
}

function shellQuote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** The addon choice and sanitizer settings a case ran under, for its replay command. */
function replayEnv(): string {
  return ['HEATBATH_ADDON', 'LD_PRELOAD', 'ASAN_OPTIONS', 'HEATBATH_MEMORY_LIMIT']
    .filter((name) => process.env[name])
    .map((name) => `${name}=${shellQuote(process.env[name]!)} `)
    .join('');
}

class Fuzzer {
  readonly records: CaseRecord[] = [];
  private readonly kept = new Map<string, number>();
  private readonly work: string;

  constructor(private readonly options: Options) {
    this.work = fs.mkdtempSync(path.join(os.tmpdir(), 'heatbath-fuzz-'));
    // The library's own memory budget, set below the memory cap (Node itself and copies of results need
    // the rest): a file may honestly declare gigabytes, and must then be refused, not read, within the cap.
    process.env.HEATBATH_MEMORY_LIMIT ??= `${Math.floor(this.options.rssMb / 2)}M`;
  }

  private limits(kind: string): Limits {
    const factor = kind === 'cli' ? CLI_TIME_FACTOR : 1;
    // AddressSanitizer reserves terabytes of address space for its shadow memory: no RLIMIT_AS under it.
    const sanitized = /asan/.test(process.env.LD_PRELOAD ?? '');
    return {
      timeoutMs: this.options.timeoutSeconds * 1000 * factor,
      rssMb: this.options.rssMb,
      addressSpaceMb: sanitized ? 0 : 4 * this.options.rssMb,
    };
  }

  private nodeArgs(): string[] {
    return [`--max-old-space-size=${this.options.heapMb}`];
  }

  async run(c: Case): Promise<CaseRecord> {
    const started = Date.now();
    let end: ProcessEnd;
    let replay: string;
    let input: Buffer;
    let ext: string;
    if ('argv' in c) {
      const scratch = path.join(this.work, `cli-${c.index}`);
      fs.mkdirSync(path.join(scratch, SCRATCH_DIR), { recursive: true });
      execFileSync('mkfifo', [path.join(scratch, SCRATCH_FIFO)]);
      const args = [...this.nodeArgs(), CLI, ...c.argv];
      end = await runLimited(process.execPath, args, {
        cwd: scratch,
        env: { ...process.env, HOME: scratch },
        limits: this.limits('cli'),
      });
      fs.rmSync(scratch, { recursive: true, force: true });
      replay = `d=$(mktemp -d) && mkdir $d/${SCRATCH_DIR} && mkfifo $d/${SCRATCH_FIFO} && cd $d && HOME=$d ${replayEnv()}node ${args.map(shellQuote).join(' ')}`;
      input = Buffer.from(JSON.stringify(c.argv, null, 1));
      ext = '.json';
    } else {
      const file = path.join(this.work, `case-${c.index}${c.ext}`);
      fs.writeFileSync(file, c.input);
      const args = [...this.nodeArgs(), RUNNER, c.kind, file];
      end = await runLimited(process.execPath, args, { cwd: this.work, env: process.env, limits: this.limits(c.kind) });
      fs.rmSync(file, { force: true });
      replay = '';
      input = c.input;
      ext = c.ext;
    }
    const result = c.kind === 'cli' ? cliOutcome(end) : runnerOutcome(end);
    const peakRssMb = Math.max(end.peakRssMb, result.maxRssMb ?? 0);
    if (peakRssMb > this.options.rssMb && !FAILURES.has(result.outcome)) {
      Object.assign(result, { outcome: 'memory', detail: `finished, but its resident set reached ${peakRssMb} MB` });
    }
    const record: CaseRecord = {
      index: c.index,
      kind: c.kind,
      outcome: result.outcome,
      code: result.code,
      detail: result.detail,
      peakRssMb,
      seconds: (Date.now() - started) / 1000,
    };
    if (FAILURES.has(record.outcome)) this.save(record, input, ext, replay, end);
    this.records.push(record);
    return record;
  }

  /** Keeps the input and a note with the outcome and the replay command. */
  private save(record: CaseRecord, input: Buffer, ext: string, cliReplay: string, end: ProcessEnd): void {
    const key = `${record.kind} ${record.outcome} ${signatureOf(record)}`;
    const count = (this.kept.get(key) ?? 0) + 1;
    this.kept.set(key, count);
    if (count > KEEP_PER_SIGNATURE) return;
    const name = `${record.kind}-${record.index}`;
    const saved = path.join(this.options.out, `${name}${ext}`);
    fs.writeFileSync(saved, input);
    record.saved = path.relative(ROOT, saved);
    record.replay =
      record.kind === 'cli'
        ? cliReplay
        : `${replayEnv()}node --max-old-space-size=${this.options.heapMb} ${path.relative(ROOT, RUNNER)} ${record.kind} ${record.saved}`;
    const note = [
      `case ${record.index} (seed ${this.options.seed}), kind ${record.kind}: ${record.outcome}${record.code ? ` ${record.code}` : ''}`,
      `peak resident set ${record.peakRssMb} MB, ${record.seconds.toFixed(1)} s`,
      '',
      'replay (from the repository root):',
      `  ${record.replay}`,
      '',
      'detail:',
      record.detail ?? '',
      '',
      'stderr (end):',
      end.stderr.trim().split('\n').slice(-30).join('\n'),
    ].join('\n');
    fs.writeFileSync(path.join(this.options.out, `${name}.note.txt`), `${note}\n`);
  }

  cleanUp(): void {
    fs.rmSync(this.work, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  // Cases run in scratch directories: a relative addon path must not change meaning there.
  if (process.env.HEATBATH_ADDON) process.env.HEATBATH_ADDON = path.resolve(process.env.HEATBATH_ADDON);
  fs.rmSync(options.out, { recursive: true, force: true });
  fs.mkdirSync(options.out, { recursive: true });
  const setup = Date.now();
  const fixtures = writeFixtures(path.join(options.out, 'fixtures'));
  const seeds = makeSeeds();
  const fuzzer = new Fuzzer(options);
  const budget = options.cases > 0 ? `${options.cases} cases` : `${options.seconds} s`;
  console.log(
    `fuzz: seed ${options.seed}, budget ${budget}, ${options.jobs} jobs, kinds ${options.kinds.join(',')} (set-up ${((Date.now() - setup) / 1000).toFixed(1)} s)`,
  );

  const started = Date.now();
  const deadline = options.seconds > 0 ? started + options.seconds * 1000 : Infinity;
  let next = 0;
  let lastProgress = started;
  const more = () => (options.cases === 0 || next < options.cases) && Date.now() < deadline;
  const worker = async () => {
    while (more()) {
      const c = makeCase(options.seed, next++, options.kinds, seeds, fixtures);
      const record = await fuzzer.run(c);
      if (FAILURES.has(record.outcome))
        console.log(
          `  case ${record.index} ${record.kind}: ${record.outcome} ${(record.detail ?? '').split('\n')[0].slice(0, 160)}`,
        );
      if (Date.now() - lastProgress > 15_000) {
        lastProgress = Date.now();
        console.log(`  … ${fuzzer.records.length} cases in ${((lastProgress - started) / 1000).toFixed(0)} s`);
      }
    }
  };
  await Promise.all(Array.from({ length: options.jobs }, worker));
  fuzzer.cleanUp();
  const seconds = (Date.now() - started) / 1000;

  const records = fuzzer.records.sort((a, b) => a.index - b.index);
  const table = countsByKind(records, options.kinds);
  const distinct = signatures(records);
  console.log(`\n${records.length} cases in ${seconds.toFixed(0)} s (seed ${options.seed})\n${formatTable(table)}`);
  if (distinct.length > 0) {
    console.log(`\n${distinct.length} distinct failures (kind, outcome, count, what, an example):`);
    for (const s of distinct) {
      console.log(
        `  ${s.kind} ${s.outcome} ×${s.count}: ${s.what}\n      ${s.example.saved ?? `case ${s.example.index}`}  replay: ${s.example.replay ?? ''}`.slice(
          0,
          2000,
        ),
      );
    }
    console.log(`\nfailing inputs and notes: ${path.relative(process.cwd(), options.out) || '.'}/`);
  }
  const lines = records.map(({ index, kind, outcome, code, detail }) =>
    JSON.stringify({ index, kind, outcome, code, detail: (detail ?? '').split('\n')[0].slice(0, 300) }),
  );
  fs.writeFileSync(path.join(options.out, 'cases.jsonl'), `${lines.join('\n')}\n`);
  fs.writeFileSync(
    path.join(options.out, 'summary.json'),
    `${JSON.stringify({ seed: options.seed, budget, jobs: options.jobs, seconds, table, failures: distinct.map(({ example, ...s }) => ({ ...s, example: example.saved, replay: example.replay })) }, null, 1)}\n`,
  );
  process.exitCode = distinct.length > 0 ? 1 : 0;
}

void main();
