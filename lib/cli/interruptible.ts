/** Long CLI jobs that Ctrl-C stops cleanly, so the command can still save what was done. */
import { HeatbathError } from '../errors';
import { Progress } from './progress';

/**
 * Runs `job` with an AbortSignal that SIGINT fires; resolves true if the job stopped for it (ERR_ABORTED),
 * false if it finished. Other errors propagate. The progress bar is stopped either way.
 */
export async function runInterruptibly(job: (signal: AbortSignal) => Promise<unknown>, bar: Progress): Promise<boolean> {
  const controller = new AbortController();
  const onSigint = () => controller.abort();
  process.once('SIGINT', onSigint);
  try {
    await job(controller.signal);
    return false;
  } catch (err) {
    if (err instanceof HeatbathError && err.code === 'ERR_ABORTED') return true;
    throw err;
  } finally {
    bar.stop();
    process.removeListener('SIGINT', onSigint);
  }
}
