/**
 * What travels between a heatbath server and its clients: the sampling request (the server validates it
 * with its JSON schema, lib/serve/request-schema.ts) and the answers' shapes.
 */

export const OBSERVABLES = ['energy', 'magnetization', 'probabilities'] as const;
export type ServedObservable = (typeof OBSERVABLES)[number];

export interface SampleRequest {
  /** Samples (independent chains) to draw (default 1). */
  n?: number;
  /** Seed of the random streams (default 0): the same seed and parameters give the same samples. */
  seed?: number;
  /** Gibbs sweeps per sample (ising, rbm) or per denoising step (dtm). */
  sweeps?: number;
  /** Langevin steps (langevin). */
  steps?: number;
  /** Langevin time step (langevin; default the model's `info.dt`, else 0.01). */
  dt?: number;
  /** Inverse temperature (default the model's). */
  beta?: number;
  /** β annealed linearly over the sweeps (ising) or within each step (dtm). */
  anneal?: { from: number; to: number };
  /** Class of every sample, or of each (n values): dtm and gtc models with labels. */
  labels?: number | number[];
  /** Units held at values: one value per node for every sample, or n × nodes values. */
  clamp?: { nodes: number[]; values: number[] };
  /** dtm: pixels held at 0/1 values, one set for every sample or n sets. */
  inpaint?: { pixels: number[]; values: number[] };
  /** Per-sample figures to add to the answer. */
  observe?: ServedObservable[];
  /** Samples per batch (a streamed NDJSON line; default: chosen from the cost). Part of the parameters: it changes the samples. */
  batch?: number;
  /** Native threads (capped by the server's setting). Results do not depend on it. */
  threads?: number;
}

/** The sample dtypes, as .npy names them: int8 spins, uint8 bits, float32 values. */
export type SampleDtype = 'i1' | 'u1' | 'f4';
