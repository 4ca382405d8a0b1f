/**
 * Reading files whose header says how long they are. The file is opened without blocking and refused unless it
 * is a regular file (a named pipe, a device such as /dev/zero or a directory never ends or never starts); then
 * its header is read a piece at a time, and the whole file only when its length is the one the header declares
 * and that length is within the load limit. A file's claims cost nothing until they are checked.
 */
import * as fs from 'fs';
import { HeatbathError } from '../errors';
import { checkLoadable } from '../native/load-limit';
import { badFile } from './bytes';

/** What a file's first bytes say: the whole file's length, or how many first bytes it takes to tell. */
export type Declared = { length: number } | { need: number };
/** Reads a head of a file (its first bytes); throws ERR_BAD_FILE when they are malformed. */
export type DeclaredLength = (head: Uint8Array) => Declared;

/** One read call at most (Linux moves under 2 GiB per call; larger files take several). */
const READ_CHUNK = 1 << 30;
// O_NONBLOCK: opening a named pipe for reading would otherwise wait for a writer. O_NOCTTY: never adopt a terminal.
const OPEN_FLAGS = fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0) | (fs.constants.O_NOCTTY ?? 0);

function ioError(path: string, err: unknown): HeatbathError {
  return new HeatbathError('ERR_IO', `could not read ${path}: ${(err as Error).message}`, { cause: err });
}

function whatItIs(stat: fs.Stats): string {
  if (stat.isDirectory()) return 'a directory';
  if (stat.isFIFO()) return 'a named pipe';
  if (stat.isCharacterDevice()) return 'a character device';
  if (stat.isBlockDevice()) return 'a block device';
  if (stat.isSocket()) return 'a socket';
  return 'not a regular file';
}

/** The file's size; anything but a regular file is ERR_IO. */
function regularSize(path: string, stat: fs.Stats): number {
  if (!stat.isFile())
    throw new HeatbathError('ERR_IO', `could not read ${path}: it is ${whatItIs(stat)}, not a regular file`);
  return stat.size;
}

/**
 * Asks `declared` about ever longer heads of a file of `size` bytes (each yield asks for the first n bytes)
 * and returns the length it declares once that matches the file and the load limit.
 */
function* declaredFileLength(size: number, declared: DeclaredLength): Generator<number, number, Uint8Array> {
  let head: Uint8Array = new Uint8Array(0);
  for (;;) {
    const said = declared(head);
    if ('length' in said) {
      const { length } = said;
      if (length > size) throw badFile(`truncated: the header declares ${length} bytes, the file has ${size}`);
      if (length < size) throw badFile(`${size - length} trailing bytes after the ${length} bytes the header declares`);
      checkLoadable('the file', length);
      return length;
    }
    if (said.need <= head.length)
      throw new HeatbathError('ERR_INTERNAL', `a header reader asked again for ${said.need} bytes`);
    if (said.need > size) {
      // The whole short file first: its first bytes may already say it is no such file at all.
      if (head.length < size) {
        head = yield size;
        continue;
      }
      throw badFile(`truncated header: the file has ${size} bytes, its header needs ${said.need}`);
    }
    head = yield said.need;
  }
}

/** Prefixes a coded error's message with the file's name. */
function named(path: string, err: unknown): unknown {
  if (
    !(err instanceof HeatbathError) ||
    err.message.startsWith(path) ||
    err.message.startsWith(`could not read ${path}: `)
  )
    return err;
  return new HeatbathError(err.code, `${path}: ${err.message}`, { cause: err });
}

async function readHead(handle: fs.promises.FileHandle, path: string, length: number): Promise<Uint8Array> {
  const bytes = Buffer.alloc(length);
  let done = 0;
  while (done < length) {
    let n: number;
    try {
      ({ bytesRead: n } = await handle.read(bytes, done, Math.min(length - done, READ_CHUNK), done));
    } catch (err) {
      throw ioError(path, err);
    }
    if (n === 0) throw badFile(`truncated while reading: the file ended after ${done} of ${length} bytes`);
    done += n;
  }
  return bytes;
}

function readHeadSync(fd: number, path: string, length: number): Uint8Array {
  const bytes = Buffer.alloc(length);
  let done = 0;
  while (done < length) {
    let n: number;
    try {
      n = fs.readSync(fd, bytes, done, Math.min(length - done, READ_CHUNK), done);
    } catch (err) {
      throw ioError(path, err);
    }
    if (n === 0) throw badFile(`truncated while reading: the file ended after ${done} of ${length} bytes`);
    done += n;
  }
  return bytes;
}

/** An open regular file: its handle, its size and a reader of its first bytes. */
export interface RegularFile {
  handle: fs.promises.FileHandle;
  size: number;
  head(length: number): Promise<Uint8Array>;
}

/** Opens `path`, refuses anything but a regular file, runs `body` and closes; errors name the file. */
export async function withRegularFile<T>(path: string, body: (file: RegularFile) => Promise<T>): Promise<T> {
  try {
    let handle: fs.promises.FileHandle;
    try {
      handle = await fs.promises.open(path, OPEN_FLAGS);
    } catch (err) {
      throw ioError(path, err);
    }
    try {
      let stat: fs.Stats;
      try {
        stat = await handle.stat();
      } catch (err) {
        throw ioError(path, err);
      }
      const size = regularSize(path, stat);
      return await body({ handle, size, head: (length) => readHead(handle, path, length) });
    } finally {
      await handle.close();
    }
  } catch (err) {
    throw named(path, err);
  }
}

/** The bytes of an open file whose header declares its length (see above). */
export async function readDeclared({ size, head }: RegularFile, declared: DeclaredLength): Promise<Uint8Array> {
  const steps = declaredFileLength(size, declared);
  let step = steps.next();
  while (!step.done) step = steps.next(await head(step.value));
  return head(step.value);
}

/** Reads a file whose header declares its length (see above) and decodes it. */
export async function readDeclaredFile<T>(
  path: string,
  declared: DeclaredLength,
  decode: (bytes: Uint8Array) => T,
): Promise<T> {
  return withRegularFile(path, async (file) => decode(await readDeclared(file, declared)));
}

/** The synchronous twin of readDeclaredFile, for callers that cannot wait (a classifier cache). */
export function readDeclaredFileSync<T>(path: string, declared: DeclaredLength, decode: (bytes: Uint8Array) => T): T {
  try {
    let fd: number;
    try {
      fd = fs.openSync(path, OPEN_FLAGS);
    } catch (err) {
      throw ioError(path, err);
    }
    try {
      let stat: fs.Stats;
      try {
        stat = fs.fstatSync(fd);
      } catch (err) {
        throw ioError(path, err);
      }
      const steps = declaredFileLength(regularSize(path, stat), declared);
      let step = steps.next();
      while (!step.done) step = steps.next(readHeadSync(fd, path, step.value));
      return decode(readHeadSync(fd, path, step.value));
    } finally {
      fs.closeSync(fd);
    }
  } catch (err) {
    throw named(path, err);
  }
}
