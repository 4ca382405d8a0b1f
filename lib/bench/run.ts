/**
 * Runs the benchmark suites with benny and reports every figure next to this machine's multiply-add
 * ceiling measured in the same run, so results compare across machines as ratios.
 */
import * as b from 'benny';
import * as os from 'os';
import * as path from 'path';
import * as fs from 'fs';
import { engineInfo } from '..';
import { writeFileAtomic } from '../io/atomic';
import { native } from '../native';
import { BenchFile, BenchRecord } from './record';
import { pbitCases } from './suites/pbit';
import { langevinCases } from './suites/langevin';
import { gtcCases } from './suites/gtc';
import { denseCases } from './suites/rbm';
import { trainingCases } from './suites/training';
import { tlaCases } from './suites/tla';
import { tngdCases } from './suites/tngd';
import { dtmCases } from './suites/dtm';
import { serveCases } from './suites/serve';

export interface BenchOptions {
  filter?: string;
  threads?: number;
  outDir: string;
  /** Called with each record as soon as it is measured. */
  onRecord?: (record: BenchRecord) => void;
}

const CASE_OPTIONS = { minSamples: 5, maxTime: 3, initCount: 1 };

export async function runBench(options: BenchOptions): Promise<{ records: BenchRecord[]; file: string }> {
  const info = engineInfo();
  const threads = options.threads ?? info.hardwareThreads;
  const ceiling = native().measureCeiling({ threads, seconds: 0.5 });
  const records: BenchRecord[] = [];
  const emit = (record: BenchRecord) => {
    records.push(record);
    options.onRecord?.(record);
  };
  emit({
    name: 'machine.fma',
    value: ceiling.fmaPerNs,
    unit: 'fma/ns',
    description: 'float32 multiply-adds per ns, all threads, register-only loop',
    simd: ceiling.simd,
    threads,
  });
  // What every timed record carries besides its figure: the timing's ceiling and spread, the case and its threads.
  const details = (timing: Timing, description: string, caseThreads: number, shape: Record<string, unknown> = {}) => ({
    ceiling: timing.ceiling,
    rme: timing.rme,
    samples: timing.samples,
    description,
    simd: info.simd,
    threads: caseThreads,
    ...shape,
  });
  for (const bench of pbitCases.filter((c) => !options.filter || c.name.includes(options.filter))) {
    const { op, flips, ...shape } = bench.setup(threads);
    const summary = await b.suite(bench.name, b.add(bench.name, op, CASE_OPTIONS));
    const result = summary.results[0];
    const secondsPerOp = result.details.mean;
    const value = flips / (secondsPerOp * 1e9);
    emit({
      name: bench.name,
      value,
      unit: 'flips/ns',
      ratio: value / ceiling.fmaPerNs,
      ceiling: ceiling.fmaPerNs,
      rme: result.details.relativeMarginOfError,
      microsecondsPerCall: secondsPerOp * 1e6,
      samples: result.samples,
      description: bench.description,
      simd: info.simd,
      threads,
      ...shape,
    });
  }
  // The dense suite answers to --filter rbm as a whole (its gemm record included).
  for (const bench of denseCases.filter((c) => !options.filter || `rbm/${c.name}`.includes(options.filter))) {
    const { op, fma, flips, ...shape } = bench.setup(threads);
    const timing = await timeBesideCeiling(bench.name, op, threads);
    const common = { microsecondsPerCall: timing.seconds * 1e6, ...details(timing, bench.description, threads, shape) };
    const fmaPerNs = fma / (timing.seconds * 1e9);
    if (flips !== undefined) {
      const value = flips / (timing.seconds * 1e9);
      emit({ name: bench.name, value, unit: 'flips/ns', ratio: value / timing.ceiling, fmaPerNs, ...common });
    }
    const fmaName = flips === undefined ? bench.name : `${bench.name}.fma`;
    emit({ name: fmaName, value: fmaPerNs, unit: 'fma/ns', ratio: fmaPerNs / timing.ceiling, ...common });
  }
  for (const bench of trainingCases.filter((c) => !options.filter || `rbm/${c.name}`.includes(options.filter))) {
    const { op, images, fma, ...shape } = bench.setup(threads);
    const timing = await timeBesideCeiling(bench.name, op, threads, 3);
    const fmaPerNs = fma / (timing.seconds * 1e9);
    emit({
      name: bench.name,
      value: images / timing.seconds,
      unit: 'images/s',
      ratio: fmaPerNs / timing.ceiling,
      fmaPerNs,
      secondsPerEpoch: timing.seconds,
      ...details(timing, bench.description, threads, shape),
    });
  }
  for (const bench of tlaCases.filter((c) => !options.filter || c.name.includes(options.filter))) {
    const { op, samples, n } = bench.setup();
    const timing = await timeBesideCeiling(bench.name, op, threads, 3);
    emit({
      name: bench.name,
      value: samples / timing.seconds,
      unit: 'samples/s',
      secondsPerSolve: timing.seconds,
      ...details(timing, bench.description, 1, { n }),
    });
  }
  for (const bench of langevinCases.filter((c) => !options.filter || c.name.includes(options.filter))) {
    const { op, unitSteps, normals, fma, ...shape } = bench.setup(threads);
    const timing = await timeBesideCeiling(bench.name, op, threads);
    const ns = timing.seconds * 1e9;
    if (normals !== undefined) {
      emit({
        name: bench.name,
        value: normals / ns,
        unit: 'normals/ns',
        nsPerNormal: ns / normals,
        ...details(timing, bench.description, 1, shape),
      });
      continue;
    }
    const common = details(timing, bench.description, threads, shape);
    const perNs = unitSteps! / ns;
    if (fma === undefined) {
      // Higher is better for every value the compare script watches: ns per unit-step goes in the details.
      emit({ name: bench.name, value: perNs, unit: 'unit-steps/ns', nsPerUnitStep: ns / unitSteps!, ...common });
      continue;
    }
    const fmaPerNs = fma / ns;
    emit({
      name: bench.name,
      value: perNs,
      unit: 'unit-steps/ns',
      ratio: fmaPerNs / timing.ceiling,
      fmaPerNs,
      ...common,
    });
    emit({ name: `${bench.name}.fma`, value: fmaPerNs, unit: 'fma/ns', ratio: fmaPerNs / timing.ceiling, ...common });
  }
  for (const bench of gtcCases.filter((c) => !options.filter || c.name.includes(options.filter))) {
    const { op, samples, fma, ...shape } = bench.setup(threads);
    const timing = await timeBesideCeiling(bench.name, op, threads, 3);
    // Multiply-adds of the coupled phase only, over the time of both phases.
    const fmaPerNs = fma / (timing.seconds * 1e9);
    emit({
      name: bench.name,
      value: samples / timing.seconds,
      unit: 'samples/s',
      ratio: fmaPerNs / timing.ceiling,
      fmaPerNs,
      secondsPer1000: (1000 * timing.seconds) / samples,
      batch: samples,
      ...details(timing, bench.description, threads, shape),
    });
  }
  // The integer-kernel update is also reported as a ratio to the float one measured in the same run, by
  // wall time and by process CPU time (what other work on a shared machine does not inflate).
  let floatUpdate: { value: number; cpuMs: number } | undefined;
  for (const bench of dtmCases.filter((c) => !options.filter || c.name.includes(options.filter))) {
    const { op, flips, engineFlipsPerNs, cpuMsPerUpdate, ...shape } = bench.setup(threads);
    const timing = await timeBesideCeiling(bench.name, op, threads, 3);
    const value = flips / (timing.seconds * 1e9);
    const cpuMs = cpuMsPerUpdate();
    if (bench.name === 'dtm.update') floatUpdate = { value, cpuMs };
    emit({
      ...(bench.name === 'dtm.update.int8' && floatUpdate !== undefined
        ? { vsFloat: value / floatUpdate.value, vsFloatCpu: floatUpdate.cpuMs / cpuMs }
        : {}),
      cpuMsPerUpdate: cpuMs,
      name: bench.name,
      value,
      unit: 'flips/ns',
      ratio: value / timing.ceiling,
      engineFlipsPerNs: engineFlipsPerNs(),
      msPerUpdate: timing.seconds * 1e3,
      ...details(timing, bench.description, threads, shape),
    });
  }
  // TNGD's iterations are reported as a cost relative to Adam's, timed in the same run.
  let adamSeconds: number | undefined;
  for (const bench of tngdCases.filter((c) => !options.filter || c.name.includes(options.filter))) {
    const { op, ...shape } = bench.setup();
    const timing = await timeBesideCeiling(bench.name, op, 1);
    if (bench.baseline) adamSeconds = timing.seconds;
    emit({
      name: bench.name,
      value: 1 / timing.seconds,
      unit: 'iterations/s',
      msPerIteration: timing.seconds * 1e3,
      ...(bench.baseline || adamSeconds === undefined ? {} : { costVsAdam: timing.seconds / adamSeconds }),
      ...details(timing, bench.description, 1, shape),
    });
  }
  // Load tests against a server process: ratios to the engine measured in the same run, not to the ceiling.
  for (const bench of serveCases.filter((c) => !options.filter || c.name.includes(options.filter))) {
    for (const record of await bench.run(threads)) emit({ ...record, simd: info.simd });
  }
  const file: BenchFile = {
    machine: {
      cpu: os.cpus()[0]?.model ?? 'unknown',
      cores: os.cpus().length,
      node: process.version,
      simd: info.simd,
      platform: `${process.platform}-${process.arch}`,
    },
    date: new Date().toISOString(),
    records,
  };
  fs.mkdirSync(options.outDir, { recursive: true });
  const target = path.join(options.outDir, `bench-${file.date.replace(/[:.]/g, '-')}.json`);
  const text = JSON.stringify(file, null, 2) + '\n';
  await writeFileAtomic(target, text);
  await writeFileAtomic(path.join(options.outDir, 'latest.json'), text);
  return { records, file: target };
}

type Timing = Awaited<ReturnType<typeof timeBesideCeiling>>;

/**
 * Times one op with benny and measures the ceiling again just before and after it (their mean), so
 * the ratio holds when other work shares the machine and its load changes during the run.
 */
async function timeBesideCeiling(
  name: string,
  op: () => unknown,
  threads: number,
  minSamples = CASE_OPTIONS.minSamples,
) {
  const before = native().measureCeiling({ threads, seconds: 0.25 }).fmaPerNs;
  const summary = await b.suite(name, b.add(name, op, { ...CASE_OPTIONS, minSamples }));
  const ceiling = (before + native().measureCeiling({ threads, seconds: 0.25 }).fmaPerNs) / 2;
  const result = summary.results[0];
  return { seconds: result.details.mean, rme: result.details.relativeMarginOfError, samples: result.samples, ceiling };
}
