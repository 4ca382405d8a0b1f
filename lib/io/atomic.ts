/**
 * Crash-safe file writes: write a temporary file beside the target, flush it to disk, then rename it
 * over the target. A failure at any point leaves the previous file untouched.
 */
import * as fs from 'fs';
import * as path from 'path';
import { HeatbathError } from '../errors';

function tempPath(target: string): string {
  return path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}.${Date.now()}.tmp`);
}

function ioError(target: string, err: unknown): HeatbathError {
  return new HeatbathError('ERR_IO', `could not write ${target}: ${(err as Error).message}`, { cause: err });
}

export async function writeFileAtomic(target: string, data: Uint8Array | string): Promise<void> {
  const temp = tempPath(target);
  try {
    const handle = await fs.promises.open(temp, 'w');
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.promises.rename(temp, target);
  } catch (err) {
    await fs.promises.rm(temp, { force: true });
    throw ioError(target, err);
  }
}

export function writeFileAtomicSync(target: string, data: Uint8Array | string): void {
  const temp = tempPath(target);
  try {
    const fd = fs.openSync(temp, 'w');
    try {
      fs.writeFileSync(fd, data);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(temp, target);
  } catch (err) {
    fs.rmSync(temp, { force: true });
    throw ioError(target, err);
  }
}
