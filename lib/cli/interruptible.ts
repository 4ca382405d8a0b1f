/** Long CLI jobs that Ctrl-C stops cleanly, so the command can still save and report what was done. */
import { HeatbathError } from '../errors';
import { saveModel, SavableModel } from '../io/model-file';
import { Progress } from './progress';

/** Runs `job` with an AbortSignal that Ctrl-C (SIGINT) fires while it runs. */
export async function withSigint<T>(job: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const onSigint = () => controller.abort();
  process.once('SIGINT', onSigint);
  try {
    return await job(controller.signal);
  } finally {
    process.removeListener('SIGINT', onSigint);
  }
}

export interface EpochTraining<Stats> {
  /** The figures of every epoch done (an interrupted run keeps what it did). */
  history: Stats[];
  /** Ctrl-C stopped the training (ERR_ABORTED). */
  interrupted: boolean;
  seconds: number;
}

/**
 * Trains epoch by epoch until done or Ctrl-C: `train` calls `recordEpoch` after every epoch, which keeps
 * the figures and saves `model` to `out` every `checkpointEvery` epochs before the last. Then, finished
 * or interrupted, the model's info gets `epochs_done` and the model is saved. Other errors propagate
 * (nothing saved). The progress bar is stopped either way.
 */
export async function trainAndSave<Stats extends { epoch: number }>(
  model: SavableModel & { info: Record<string, unknown> },
  opts: { out: string; epochs: number; checkpointEvery?: number },
  bar: Progress,
  train: (signal: AbortSignal, recordEpoch: (stats: Stats) => Promise<void>) => Promise<unknown>,
): Promise<EpochTraining<Stats>> {
  const history: Stats[] = [];
  const recordEpoch = async (stats: Stats) => {
    history.push(stats);
    if (opts.checkpointEvery && stats.epoch % opts.checkpointEvery === 0 && stats.epoch < opts.epochs) await saveModel(opts.out, model);
  };
  const started = process.hrtime.bigint();
  let interrupted = false;
  try {
    await withSigint((signal) => train(signal, recordEpoch));
  } catch (err) {
    if (!(err instanceof HeatbathError && err.code === 'ERR_ABORTED')) throw err;
    interrupted = true;
  } finally {
    bar.stop();
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  model.info.epochs_done = history.length;
  await saveModel(opts.out, model);
  return { history, interrupted, seconds };
}
