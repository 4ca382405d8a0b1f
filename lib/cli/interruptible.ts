/** Long CLI training that Ctrl-C (or SIGTERM) stops cleanly, so the command can still save and report what was done. */
import { HeatbathError } from '../errors';
import { saveModel, SavableModel } from '../io/model-file';
import { writeOrRescue, writeOrWarn } from './outputs';
import { Progress } from './progress';
import { stoppable } from './signals';

export interface EpochTraining<Stats> {
  /** The figures of every epoch done (an interrupted run keeps what it did). */
  history: Stats[];
  /** A signal stopped the training (ERR_ABORTED). */
  interrupted: boolean;
  seconds: number;
}

/**
 * Trains epoch by epoch until done or stopped by a signal: `train` calls `recordEpoch` after every epoch,
 * which keeps the figures and saves `model` to `out` every `checkpointEvery` epochs before the last (a
 * checkpoint that cannot be written is reported and training goes on). Then, finished or interrupted, the
 * model's info gets `epochs_done` and the model is saved, to a rescue path if `out` fails (outputs.ts).
 * Other errors propagate (nothing saved). The progress bar is stopped either way.
 */
export async function trainAndSave<Stats extends { epoch: number }>(
  model: SavableModel & { info: Record<string, unknown> },
  opts: { out: string; epochs: number; checkpointEvery?: number },
  bar: Progress,
  train: (signal: AbortSignal, recordEpoch: (stats: Stats) => Promise<void>) => Promise<unknown>,
): Promise<EpochTraining<Stats>> {
  const out = { flag: '--out', file: opts.out };
  const history: Stats[] = [];
  const recordEpoch = async (stats: Stats) => {
    history.push(stats);
    if (opts.checkpointEvery && stats.epoch % opts.checkpointEvery === 0 && stats.epoch < opts.epochs) {
      await writeOrWarn(out, (file) => saveModel(file, model));
    }
  };
  // The final save is part of the stoppable work: a first signal during it lets it finish.
  return stoppable(async (signal) => {
    const started = process.hrtime.bigint();
    let interrupted = false;
    try {
      await train(signal, recordEpoch);
    } catch (err) {
      if (!(err instanceof HeatbathError && err.code === 'ERR_ABORTED')) throw err;
      interrupted = true;
    } finally {
      bar.stop();
    }
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    model.info.epochs_done = history.length;
    await writeOrRescue(out, (file) => saveModel(file, model));
    return { history, interrupted, seconds };
  });
}
