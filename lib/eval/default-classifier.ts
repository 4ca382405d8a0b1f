/**
 * The process's digit classifier: trained once, and with a cache directory kept there as a 'digit-classifier'
 * model file, so later processes load it instead of training.
 */
import * as path from 'path';
import { HeatbathError } from '../errors';
import { writeFileAtomicSync } from '../io/atomic';
import { makeDirectorySync } from '../io/directory';
import { decodeModel, encodeModel } from '../io/model-file';
import { readDeclaredFileSync } from '../io/read-file';
import { safetensorsLength } from '../io/safetensors';
import { invalid } from '../util/validate';
import { DigitClassifier } from './digit-classifier';
import { isDefaultTraining, trainDigitClassifier } from './digit-training';

let cached: DigitClassifier | undefined;

export interface DigitClassifierCache {
  /**
   * A directory to keep the trained weights in (created if needed): later processes load them instead
   * of training. Without it nothing is written to disk.
   */
  cacheDir?: string;
}

/** The file's classifier when it holds the default one; undefined when it is absent, damaged or trained otherwise. */
function readCache(file: string): DigitClassifier | undefined {
  let stored;
  try {
    stored = readDeclaredFileSync(file, safetensorsLength, decodeModel);
  } catch (err) {
    if (!(err instanceof HeatbathError)) throw err;
    const absent = (err.cause as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
    if (absent || err.code === 'ERR_BAD_FILE') return undefined;
    throw err;
  }
  return stored instanceof DigitClassifier && isDefaultTraining(stored.training) ? stored : undefined;
}

/**
 * The default classifier, trained on first use and kept for the life of the process. With a cache directory it
 * is read from there, or trained and written there (atomically) when the file is absent, damaged or stale.
 */
export function digitClassifier(options: DigitClassifierCache = {}): DigitClassifier {
  if (options.cacheDir === undefined) {
    cached ??= trainDigitClassifier();
    return cached;
  }
  if (typeof options.cacheDir !== 'string' || options.cacheDir === '')
    throw invalid('cacheDir must be a directory path');
  const file = path.join(options.cacheDir, 'digit-classifier.safetensors');
  const stored = readCache(file);
  if (stored !== undefined) {
    cached ??= stored;
    return cached;
  }
  makeDirectorySync(options.cacheDir); // before training: a cache that cannot exist fails in milliseconds, not seconds
  cached ??= trainDigitClassifier();
  writeFileAtomicSync(file, encodeModel(cached));
  return cached;
}
