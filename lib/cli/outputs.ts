/**
 * The files a command writes. Before any work, every output path is checked: its folder exists and can be
 * written in, it is not a folder or a device, it is not an input of the command (the training data, the
 * model sampled) and no two outputs are one file. After the work, a final output that cannot be written
 * (the disk filled up, the folder went away) is saved under another name rather than lost: in the current
 * folder, else the OS temp folder, and the error says where.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { HeatbathError } from '../errors';
import { invalid } from '../util/validate';

export interface NamedFile {
  /** The flag or argument that named it, for messages: "--out", "<model>". */
  flag: string;
  file: string;
}

function ioProblem(output: NamedFile, problem: string): HeatbathError {
  return new HeatbathError('ERR_IO', `${output.flag} ${output.file}: ${problem}`);
}

function statOrUndefined(file: string): fs.Stats | undefined {
  try {
    return fs.statSync(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new HeatbathError('ERR_IO', `cannot look at ${file}: ${(err as Error).message}`, { cause: err });
  }
}

/** One file under two names: the same path, or (for files that exist) the same inode. */
function sameFile(a: string, b: string): boolean {
  if (path.resolve(a) === path.resolve(b)) return true;
  const [sa, sb] = [statOrUndefined(a), statOrUndefined(b)];
  return sa !== undefined && sb !== undefined && sa.dev === sb.dev && sa.ino === sb.ino;
}

function checkOutput(output: NamedFile): void {
  if (output.file.trim() === '') throw invalid(`${output.flag} needs a file name`);
  const target = statOrUndefined(output.file);
  if (target?.isDirectory()) throw ioProblem(output, 'is a folder; give a file name');
  if (target !== undefined && !target.isFile())
    throw ioProblem(output, 'is not a regular file (a device or pipe would be replaced)');
  const folder = path.dirname(path.resolve(output.file));
  const parent = statOrUndefined(folder);
  if (parent === undefined) throw ioProblem(output, `the folder ${folder} does not exist`);
  if (!parent.isDirectory()) throw ioProblem(output, `${folder} is not a folder`);
  try {
    fs.accessSync(folder, fs.constants.W_OK | fs.constants.X_OK);
  } catch {
    throw ioProblem(output, `cannot write in the folder ${folder}`);
  }
}

/** Refuses, before any work, outputs that could not be written or would destroy an input or each other. */
export function checkOutputs(outputs: NamedFile[], inputs: NamedFile[] = []): void {
  outputs.forEach((output, k) => {
    checkOutput(output);
    for (const input of inputs) {
      if (sameFile(output.file, input.file))
        throw invalid(`${output.flag} ${output.file} is the ${input.flag} file: it would be replaced; write elsewhere`);
    }
    for (const other of outputs.slice(0, k)) {
      if (sameFile(output.file, other.file))
        throw invalid(`${other.flag} and ${output.flag} name the same file ${output.file}`);
    }
  });
}

/** A folder an output goes into, created if missing: what exists of its path must be writable folders. */
export function checkOutputFolder(output: NamedFile): void {
  let folder = path.resolve(output.file);
  let existing = statOrUndefined(folder);
  while (existing === undefined && path.dirname(folder) !== folder) {
    folder = path.dirname(folder);
    existing = statOrUndefined(folder);
  }
  if (existing === undefined || !existing.isDirectory()) throw ioProblem(output, `${folder} is not a folder`);
  try {
    fs.accessSync(folder, fs.constants.W_OK | fs.constants.X_OK);
  } catch {
    throw ioProblem(output, `cannot write in the folder ${folder}`);
  }
}

/** Where a final output goes when its own path fails: the current folder, then the OS temp folder. */
export function rescuePaths(file: string, folders = [process.cwd(), os.tmpdir()]): string[] {
  const ext = path.extname(file);
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*$/, '');
  const name = `${path.basename(file, ext)}.rescued-${stamp}-${process.pid}${ext}`;
  const target = path.dirname(path.resolve(file));
  return [...new Set(folders.map((folder) => path.resolve(folder)))]
    .filter((folder) => folder !== target)
    .map((folder) => path.join(folder, name));
}

/**
 * Writes a command's finished work with `write(file)`. When that fails with an I/O error, writes it to the
 * first rescue path that works and throws ERR_IO naming both; nothing finished is lost unless every place fails.
 */
export async function writeOrRescue(
  output: NamedFile,
  write: (file: string) => Promise<void>,
  folders?: string[],
): Promise<void> {
  try {
    await write(output.file);
    return;
  } catch (err) {
    if (!(err instanceof HeatbathError && err.code === 'ERR_IO')) throw err;
    const tried: string[] = [];
    for (const candidate of rescuePaths(output.file, folders)) {
      if (fs.existsSync(candidate)) continue;
      try {
        await write(candidate);
      } catch (again) {
        if (!(again instanceof HeatbathError && again.code === 'ERR_IO')) throw again;
        tried.push(candidate);
        continue;
      }
      throw new HeatbathError('ERR_IO', `${err.message}; the ${output.flag} output was saved to ${candidate} instead`, {
        cause: err,
      });
    }
    throw new HeatbathError(
      'ERR_IO',
      `${err.message}; it could not be saved elsewhere either (${tried.join(', ') || 'no other folder'})`,
      { cause: err },
    );
  }
}

/** Writes an intermediate file (a checkpoint, curves so far): a failure is reported on stderr and the work goes on. */
export async function writeOrWarn(output: NamedFile, write: (file: string) => Promise<void>): Promise<void> {
  try {
    await write(output.file);
  } catch (err) {
    if (!(err instanceof HeatbathError && err.code === 'ERR_IO')) throw err;
    process.stderr.write(`heatbath: ${err.message} (${err.code}); continuing, the final write will try again\n`);
  }
}
