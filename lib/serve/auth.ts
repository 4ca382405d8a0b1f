/** Bearer-token checks: the token comes from a file; comparisons take the same time whatever the guess. */
import { createHash, timingSafeEqual } from 'crypto';
import * as fs from 'fs';
import { HeatbathError } from '../errors';
import { ServeError } from './errors';

/** Reads the token (surrounding whitespace ignored); an empty or unreadable file is an error at start. */
export function readTokenFile(file: string): string {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new HeatbathError(
      'ERR_IO',
      `--token-file ${file} cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})`,
    );
  }
  const token = text.trim();
  if (token.length < 16 || /\s/.test(token))
    throw new HeatbathError(
      'ERR_INVALID_ARGUMENT',
      `--token-file ${file} must hold one token of at least 16 characters, no spaces`,
    );
  return token;
}

const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();

/** A check of the Authorization header against the token: 401 without a matching `Bearer <token>`. */
export function bearerCheck(token: string): (authorization: string | undefined) => void {
  const expected = digest(token);
  return (authorization) => {
    const match = /^Bearer ([^\s]+)$/i.exec(authorization ?? '');
    // Equal-length digests: timingSafeEqual's time does not depend on where the guess goes wrong.
    const ok = match !== null && timingSafeEqual(digest(match[1]), expected);
    if (!ok)
      throw new ServeError(401, 'ERR_UNAUTHORIZED', 'a valid bearer token is required', {
        'WWW-Authenticate': 'Bearer',
      });
  };
}
