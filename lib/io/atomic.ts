/**
 * Crash-safe file writes: write a temporary file beside the target, flush it to disk, then rename it
 * over the target. A failure at any point leaves the previous file untouched and removes the temporary
 * file; so does process.exit() during a write (an 'exit' hook removes the temporary files of writes in
 * progress). Only a process killed outright (SIGKILL, power loss) can leave one behind: a hidden
 * `.<name>.<pid>.<random>.tmp` beside the target, which nothing reads and which can be deleted.
 */
import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { HeatbathError } from '../errors';

/** Temporary files of the writes in progress. */
const pending = new Set<string>();
let exitHookInstalled = false;

function removePending(): void {
  for (const temp of pending) fs.rmSync(temp, { force: true });
  pending.clear();
}

/** A fresh temporary name in the target's folder (so the rename stays on one file system). */
function tempPath(target: string): string {
  if (!exitHookInstalled) {
    process.once('exit', removePending);
    exitHookInstalled = true;
  }
  const temp = path.join(
    path.dirname(target),
    `.${path.basename(target)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`,
  );
  pending.add(temp);
  return temp;
}

function ioError(target: string, err: unknown): HeatbathError {
  return new HeatbathError('ERR_IO', `could not write ${target}: ${(err as Error).message}`, { cause: err });
}

export async function writeFileAtomic(target: string, data: Uint8Array | string): Promise<void> {
  const temp = tempPath(target);
  try {
    const handle = await fs.promises.open(temp, 'wx');
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
  } finally {
    pending.delete(temp);
  }
}

export function writeFileAtomicSync(target: string, data: Uint8Array | string): void {
  const temp = tempPath(target);
  try {
    const fd = fs.openSync(temp, 'wx');
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
  } finally {
    pending.delete(temp);
  }
}
