/**
 * Creating a directory and its missing parents. Node's own `mkdir(…, { recursive: true })` never returns when
 * a parent exists but refuses children with ENOENT (/proc/x); this walks up once and down once.
 */
import * as fs from 'fs';
import * as path from 'path';
import { HeatbathError } from '../errors';

function cannotCreate(dir: string, problem: string, cause?: unknown): HeatbathError {
  return new HeatbathError('ERR_IO', `could not create the directory ${dir}: ${problem}`, { cause });
}

/** Makes `dir` (and missing parents) unless it exists; ERR_IO when it cannot, or names something else. */
export function makeDirectorySync(dir: string): void {
  const missing: string[] = [];
  for (let at = path.resolve(dir); ; at = path.dirname(at)) {
    let stat: fs.Stats;
    try {
      stat = fs.statSync(at);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT' || path.dirname(at) === at)
        throw cannotCreate(dir, (err as Error).message, err);
      missing.push(at);
      continue;
    }
    if (!stat.isDirectory()) throw cannotCreate(dir, `${at} exists and is not a directory`);
    break;
  }
  for (const at of missing.reverse()) {
    try {
      fs.mkdirSync(at);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST' && fs.statSync(at, { throwIfNoEntry: false })?.isDirectory())
        continue;
      throw cannotCreate(dir, (err as Error).message, err);
    }
  }
}
