/**
 * The denoising thermodynamic model's training update at the paper's size: the 70×70 G12 torus with 784
 * pixel and 100 label outputs (+ 884 clamped inputs), 256 pairs per batch, both phases (50 warm-up sweeps,
 * 10 samples 5 apart, moments observed; the negative phase also per-chain means for the correlation
 * penalty), then the gradient. flips/ns = spin updates of both phases / ns of the whole update (wall).
 */
import { DenoisingModel } from '../../models/dtm';
import type { QuantizeOptions } from '../../models/quantized-ising';
import { DtmGradientEstimator } from '../../training/dtm-gradient';
import { SeededRandom } from '../../util/random';

export interface DtmCase {
  name: string;
  description: string;
  setup(threads?: number): {
    op: () => Promise<unknown>;
    flips: number;
    engineFlipsPerNs: () => number;
    /** Mean process CPU milliseconds per update so far (steadier than wall time on a shared machine). */
    cpuMsPerUpdate: () => number;
    [shape: string]: unknown;
  };
}

/** One training update of step 4; with a precision, both phases sample the step quantized (integer kernel). */
function updateCase(name: string, description: string, precision?: QuantizeOptions): DtmCase {
  return {
    name,
    description,
    setup(threads) {
      const rows = 256;
      const model = new DenoisingModel({ size: 70, jumps: 'G12', pixels: 784, classes: 10, seed: 1, initScale: 0.1 });
      const width = model.layout.numOutputs;
      const random = new SeededRandom(2);
      const before = Int8Array.from({ length: rows * width }, () => (random.float() < 0.2 ? 1 : -1));
      const after = before.map((s) => (random.float() < 0.1 ? -s : s));
      const estimator = new DtmGradientEstimator(model, 4, rows, 3, precision);
      const out = { couplings: new Float64Array(model.numTorusEdges), biases: new Float64Array(70 * 70) };
      const schedule = { warmup: 50, samples: 10, thin: 5, penalty: 0.01, threads };
      let flips = 0;
      let engineSeconds = 0;
      let cpuMicroseconds = 0;
      let updates = 0;
      // benny calls an async op once unawaited to probe its type, so each run waits for the previous.
      let previous: Promise<unknown> = Promise.resolve();
      const op = () =>
        (previous = previous.then(async () => {
          const cpu = process.cpuUsage();
          const g = await estimator.estimate({ before, after, rows }, schedule, out);
          const used = process.cpuUsage(cpu);
          cpuMicroseconds += used.user + used.system;
          updates++;
          flips += g.flips;
          engineSeconds += g.seconds;
        }));
      const perUpdate = 95 * rows * (2 * 70 * 70 - width);
      return {
        op,
        flips: perUpdate,
        engineFlipsPerNs: () => flips / (engineSeconds * 1e9),
        cpuMsPerUpdate: () => cpuMicroseconds / 1e3 / updates,
        chains: rows,
        nodes: 70 * 70,
      };
    },
  };
}

export const dtmCases: DtmCase[] = [
  updateCase(
    'dtm.update',
    'one DTM training update: 70×70 torus G12, 884 outputs, 256 chains per phase, 95 sweeps each, ACP on',
  ),
  updateCase(
    'dtm.update.int8',
    'dtm.update on the chip: 8-bit couplings and biases, 8-bit random draws (re-quantized per update), integer kernel',
    { couplingBits: 8, fieldBits: 8, randomBits: 8 },
  ),
];
