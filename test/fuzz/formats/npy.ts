/**
 * Mutations of .npy files: the header dict's descr, fortran_order and shape (huge, negative, unsafe
 * integers, deep nesting, thousands of dimensions), the version and header length fields, and raw bytes.
 */
import { havoc } from '../mutate-bytes';
import { CaseRandom } from '../random';

const DESCRS = [
  '<f4',
  '<f8',
  '|u1',
  '|i1',
  '<i4',
  '<i8',
  '|b1',
  '>f4',
  '>i8',
  '<f2',
  '<c8',
  '|O',
  '<U10',
  '|V8',
  'f4',
  '',
  "<f4', 'x': '1",
];
const DIMS = [
  '0',
  '1',
  '2',
  '-1',
  '2147483648',
  '4294967296',
  '9007199254740993',
  '99999999999999999999',
  '1L',
  '1.5',
  "'3'",
  'None',
  'True',
  '()',
  '(1,)',
];

function parse(file: Buffer): { text: string; data: Buffer } {
  const major = file[6];
  const prefix = major === 1 ? 10 : 12;
  const length = major === 1 ? file.readUInt16LE(8) : file.readUInt32LE(8);
  return { text: file.toString('latin1', prefix, prefix + length), data: file.subarray(prefix + length) };
}

/** A file from header text (padded to 64 bytes with a closing newline, as numpy writes it) and data. */
function npyBytes(text: string, data: Buffer, major?: number): Buffer {
  const body = Buffer.from(text, 'latin1');
  const version = major ?? (body.length + 11 > 0xffff ? 2 : 1);
  const prefix = version === 1 ? 10 : 12;
  const length = Math.ceil((prefix + body.length + 1) / 64) * 64 - prefix;
  const header = Buffer.alloc(prefix + length, 0x20);
  Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, version, 0]).copy(header);
  if (version === 1) header.writeUInt16LE(length & 0xffff, 8);
  else header.writeUInt32LE(length, 8);
  body.copy(header, prefix);
  header[header.length - 1] = 0x0a;
  return Buffer.concat([header, data]);
}

function shapeText(rng: CaseRandom): string {
  switch (rng.int(4)) {
    case 0:
      return `(${Array.from({ length: rng.between(0, 4) }, () => rng.pick(DIMS)).join(', ')},)`;
    case 1:
      return `(${Array.from({ length: rng.pick([32, 1000, 20_000]) }, () => rng.pick(['1', '2', '0'])).join(',')})`;
    case 2: {
      const depth = rng.pick([100, 10_000, 100_000]);
      return '('.repeat(depth) + '1' + ')'.repeat(depth);
    }
    default:
      return rng.pick(['[2, 4]', '{}', "'2,4'", '2', '(2 4)', '(2,,4)', '(', '(-0,)', '(0x10,)']);
  }
}

function replaceField(text: string, key: string, value: string): string {
  const field = new RegExp(`'${key}':\\s*(\\([^)]*\\)|'[^']*'|\\w+)`);
  return field.test(text) ? text.replace(field, () => `'${key}': ${value}`) : text;
}

export function mutateNpy(rng: CaseRandom, seed: Buffer, donor: Buffer): Buffer {
  const { text, data } = parse(seed);
  switch (rng.int(8)) {
    case 0:
      return npyBytes(replaceField(text, 'descr', `'${rng.pick(DESCRS)}'`), data);
    case 1:
      return npyBytes(
        replaceField(text, 'fortran_order', rng.pick(['True', '1', '0', 'None', "'False'", 'false'])),
        data,
      );
    case 2:
    case 3:
      return npyBytes(
        replaceField(text, 'shape', shapeText(rng)),
        rng.chance(0.7) ? data : Buffer.alloc(rng.pick([0, 1, 64, 4096])),
      );
    case 4:
      return npyBytes(
        rng.pick([
          text.replace(/'/g, '"'),
          text.replace('{', "{'descr': '<f8', "),
          text.replace('}', ", 'extra': ('\\x00',)}"),
          text.replace(/, }$/, ''),
          text + ' trailing',
          '',
          '[1, 2, 3]',
          `{${'\u00e9'.repeat(1000)}}`,
        ]),
        data,
      );
    case 5: {
      const out = Buffer.from(seed);
      out[6] = rng.pick([0, 1, 2, 3, 4, 255]);
      if (rng.chance(0.5)) out.writeUInt16LE(rng.pick([0, 1, 9, 0xffff, out.length]), 8);
      return out;
    }
    default:
      return havoc(rng, seed, donor);
  }
}
