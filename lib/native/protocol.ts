/**
 * The engines' run protocol, as the addon reads and writes it: the observe bits, a run's positional
 * arguments and the slots of its result (named here once; native/addon reads them in the same order).
 * Positional because named properties are slow to read through N-API.
 */

/** Bits of the `observe` argument of a run. */
export const OBSERVE_STATES = 1;
export const OBSERVE_MOMENTS = 2;
export const OBSERVE_ENERGY = 4;
export const OBSERVE_MAGNETIZATION = 8;
export const OBSERVE_CHAIN_MEANS = 16;
export const OBSERVE_MEAN_FIELD_PAIRS = 32;

/**
 * A β schedule as the core evaluates it (native/core/beta_schedule.h): a program (a few numbers), a
 * table of one β per sweep when the program is [5], the step of the run's first sweep, and the
 * length the schedule sees (Infinity for streams).
 */
export type NativeBeta = [program: Float64Array, table: Float32Array | undefined, first: number, total: number];

/**
 * A run's arguments, positional because named properties are slow to read through N-API:
 * warmup, samples, thin, β schedule, observe bits, threads, moment pairs.
 */
export type NativeRunArgs = [
  warmup: number,
  samples: number,
  thin: number,
  beta: NativeBeta,
  observe: number,
  threads?: number,
  pairA?: Int32Array,
  pairB?: Int32Array,
];

/** [states, mean, pairMean, energy, magnetization, sweeps, seconds, chainMeans, pairMeanField]; unobserved entries undefined. */
export type NativeRunResult = [
  states: Int8Array | undefined,
  mean: Float64Array | undefined,
  pairMean: Float64Array | undefined,
  energy: Float64Array | undefined,
  magnetization: Float64Array | undefined,
  sweeps: number,
  seconds: number,
  chainMeans: Float32Array | undefined,
  pairMeanField: Float64Array | undefined,
];

/**
 * A Langevin run's arguments, positional (see NativeRunArgs): integrator (0 Euler–Maruyama,
 * 1 Leimkuhler–Matthews, 2 BAOAB), steps, dt, mobility, friction, kT / couplingScale / fieldScale (1 or
 * steps + 1 values), observe bits, every, burnIn, threads.
 */
export type NativeLangevinArgs = [
  integrator: number,
  steps: number,
  dt: number,
  mobility: number,
  friction: number,
  kT: Float32Array,
  couplingScale: Float32Array,
  fieldScale: Float32Array,
  observe: number,
  every: number,
  burnIn: number,
  threads?: number,
];

/** [trajectory, velocities, energy, heat, mean, meanSquare, samples, momentSteps, seconds]. */
export type NativeLangevinResult = [
  trajectory: Float32Array | undefined,
  velocities: Float32Array | undefined,
  energy: Float64Array | undefined,
  heat: Float64Array | undefined,
  mean: Float64Array | undefined,
  meanSquare: Float64Array | undefined,
  samples: number,
  momentSteps: number,
  seconds: number,
];

/** Integrator codes of a Langevin run. */
export const LANGEVIN_INTEGRATORS = { 'euler-maruyama': 0, 'leimkuhler-matthews': 1, baoab: 2 } as const;

/** Bits of a Langevin run's `observe` argument. */
export const LANGEVIN_OBSERVE = { trajectory: 1, energy: 2, heat: 4, moments: 8, velocities: 16 } as const;
