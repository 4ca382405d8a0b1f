/** Shared pieces of the binary file readers and writers. */
import * as os from 'os';
import { HeatbathError } from '../errors';
import { invalid } from '../util/validate';

export function badFile(message: string): HeatbathError {
  return new HeatbathError('ERR_BAD_FILE', message);
}

/** The formats are little-endian and tensors are copied byte for byte into typed arrays. */
export function assertLittleEndianHost(): void {
  if (os.endianness() !== 'LE') throw new HeatbathError('ERR_INTERNAL', 'tensor files need a little-endian host');
}

/** Realm-independent typed-array check (arrays may come from a worker or a vm context). */
export function hasArrayType(value: unknown, type: { readonly name: string }): boolean {
  return (
    ArrayBuffer.isView(value) &&
    (value as unknown as { [Symbol.toStringTag]: string })[Symbol.toStringTag] === type.name
  );
}

/** A Uint8Array view of file bytes given as any Uint8Array (Buffer included). */
export function asBytes(caller: string, value: unknown): Uint8Array {
  if (!ArrayBuffer.isView(value) || (value as Uint8Array).BYTES_PER_ELEMENT !== 1) {
    throw invalid(`${caller} needs the file bytes as a Uint8Array`);
  }
  return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
}
