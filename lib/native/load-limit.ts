/**
 * The limit on what a loader builds from a file: bytes it would allocate for the file's content or for the
 * model its settings describe, checked before allocating, so a file claiming a huge size fails fast with
 * ERR_TOO_LARGE instead of exhausting memory. The budget is the one every request has (native/memory); a file's
 * content is also read into one Buffer, which caps it at buffer.constants.MAX_LENGTH.
 */
import { constants } from 'buffer';
import { HeatbathError } from '../errors';
import { checkFits } from './memory';

export function checkLoadable(what: string, bytes: number): void {
  if (!(bytes <= constants.MAX_LENGTH)) {
    throw new HeatbathError(
      'ERR_TOO_LARGE',
      `${what} needs ${bytes} bytes, more than the ${constants.MAX_LENGTH} one Buffer can hold`,
    );
  }
  checkFits(bytes, what);
}
