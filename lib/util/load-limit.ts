/**
 * The one limit on what a loader builds from a file: bytes it would allocate for the file's content or for
 * the model its settings describe. Checked before allocating, so a file claiming a huge size fails fast with
 * ERR_TOO_LARGE instead of exhausting memory.
 */
import { constants } from 'buffer';
import * as os from 'os';
import { HeatbathError } from '../errors';

/** A quarter of the machine's memory, and no more than one Buffer can hold (a file is read into one). */
export const MAX_LOAD_BYTES = Math.min(constants.MAX_LENGTH, Math.floor(os.totalmem() / 4));

export function checkLoadable(what: string, bytes: number): void {
  if (!(bytes <= MAX_LOAD_BYTES)) {
    throw new HeatbathError('ERR_TOO_LARGE', `${what} needs ${bytes} bytes, more than the ${MAX_LOAD_BYTES} a loader allocates`);
  }
}
