/**
 * Async native jobs that an AbortSignal can stop: the job gets a CancelToken the signal trips, an
 * already aborted signal rejects before the job starts, and addon errors become HeatbathErrors.
 */
import { asHeatbathError, HeatbathError } from '../errors';
import { native, NativeCancelToken } from '.';
import { checkSignal } from '../util/validate';

export async function runCancellable<T>(
  signal: unknown,
  what: string,
  start: (token: NativeCancelToken | undefined) => Promise<T>,
): Promise<T> {
  const checked = checkSignal(signal);
  if (checked?.aborted) throw new HeatbathError('ERR_ABORTED', `${what} was aborted before it started`);
  const token = checked ? new (native().CancelToken)() : undefined;
  const onAbort = () => token?.cancel();
  checked?.addEventListener('abort', onAbort, { once: true });
  try {
    return await start(token);
  } catch (err) {
    throw asHeatbathError(err); // rejections and synchronous throws (ERR_BUSY, ERR_DISPOSED) alike
  } finally {
    checked?.removeEventListener('abort', onAbort);
  }
}
