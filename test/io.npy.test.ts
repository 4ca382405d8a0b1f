import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { decodeNpy, encodeNpy, NdArray, readNpy, writeNpy } from '../lib/io/npy';
import { parsePythonLiteral } from '../lib/io/python-literal';

/** A .npy file assembled byte by byte: magic, version, header length, header text, data. */
function npy(header: string, data: number[] = [], version: [number, number] = [1, 0]): Uint8Array {
  const length =
    version[0] === 1 ? [header.length & 0xff, header.length >> 8] : [header.length & 0xff, header.length >> 8, 0, 0];
  return Uint8Array.from([
    0x93,
    ...Array.from('NUMPY', (c) => c.charCodeAt(0)),
    ...version,
    ...length,
    ...Buffer.from(header, version[0] === 3 ? 'utf8' : 'latin1'),
    ...data,
  ]);
}

function expectBadFile(bytes: Uint8Array, message: RegExp): void {
  expect(() => decodeNpy(bytes)).toThrow(
    expect.objectContaining({ code: 'ERR_BAD_FILE', message: expect.stringMatching(message) }),
  );
}

describe('.npy', () => {
  const arrays: NdArray[] = [
    { dtype: 'f4', shape: [2, 3], data: Float32Array.of(1, 2, 3, 4, 5, -0.25) },
    { dtype: 'f8', shape: [3], data: Float64Array.of(Math.E, -1e300, 0) },
    { dtype: 'u1', shape: [2, 2, 1], data: Uint8Array.of(0, 1, 128, 255) },
    { dtype: 'i1', shape: [2], data: Int8Array.of(-128, 127) },
    { dtype: 'i4', shape: [], data: Int32Array.of(-7) },
    { dtype: 'f4', shape: [0, 5], data: new Float32Array(0) },
  ];

  test('round trip of every dtype; data starts at a multiple of 64', () => {
    for (const array of arrays) {
      const bytes = encodeNpy(array);
      const headerLength = bytes.readUInt16LE(8);
      expect((10 + headerLength) % 64).toBe(0);
      expect(bytes[10 + headerLength - 1]).toBe(0x0a);
      expect(decodeNpy(bytes)).toEqual(array);
    }
  });

  test('the header is the dict NumPy writes', () => {
    const bytes = encodeNpy(arrays[0]);
    const text = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }";
    const expected = npy(text + ' '.repeat(128 - 10 - text.length - 1) + '\n', [
      ...Buffer.from(Float32Array.of(1, 2, 3, 4, 5, -0.25).buffer),
    ]);
    expect(Array.from(bytes)).toEqual(Array.from(expected));
    expect(encodeNpy({ dtype: 'u1', shape: [5], data: new Uint8Array(5) }).toString('latin1')).toContain(
      "'descr': '|u1', 'fortran_order': False, 'shape': (5,), }",
    );
    expect(encodeNpy(arrays[4]).toString('latin1')).toContain("'shape': (), }");
  });

  test('reads hand-written headers of versions 1, 2 and 3, in any key order and quoting', () => {
    const floats = [0, 0, 0xc0, 0x3f, 0, 0, 0, 0xc0]; // 1.5f, -2f
    for (const version of [
      [1, 0],
      [2, 0],
      [3, 0],
    ] as [number, number][]) {
      const array = decodeNpy(npy(`{"shape": (2,), 'fortran_order': False, 'descr': '<f4'}\n`, floats, version));
      expect(array).toEqual({ dtype: 'f4', shape: [2], data: Float32Array.of(1.5, -2) });
    }
    // Python 2 longs, an unaligned (16-byte era) header, bool read as u1, int64 narrowed to int32.
    expect(decodeNpy(npy("{'descr': '|b1', 'fortran_order': False, 'shape': (1L, 2L), }\n", [1, 0])).data).toEqual(
      Uint8Array.of(1, 0),
    );
    const int64 = [...Buffer.from(BigInt64Array.of(-5n, 2147483647n).buffer)];
    expect(decodeNpy(npy("{'descr': '<i8', 'fortran_order': False, 'shape': (2,), }\n", int64))).toEqual({
      dtype: 'i4',
      shape: [2],
      data: Int32Array.of(-5, 2147483647),
    });
  });

  test('decoded arrays are aligned copies whatever the input offset', () => {
    const bytes = encodeNpy(arrays[1]);
    const shifted = new Uint8Array(bytes.length + 1).subarray(1);
    shifted.set(bytes);
    const data = decodeNpy(shifted).data;
    expect(data.byteOffset % 8).toBe(0);
    expect(data).toEqual(arrays[1].data);
  });

  test('bad files are ERR_BAD_FILE naming the problem', () => {
    const header = (descr: string, shape = '(2,)', fortran = 'False') =>
      `{'descr': '${descr}', 'fortran_order': ${fortran}, 'shape': ${shape}, }\n`;
    const eight = [0, 0, 0, 0, 0, 0, 0, 0];
    expectBadFile(Uint8Array.of(1, 2, 3), /not a \.npy file/);
    expectBadFile(Buffer.from('PK\x03\x04 not npy at all'), /not a \.npy file/);
    expectBadFile(npy(header('<f4'), eight, [4, 0]), /unsupported \.npy version 4\.0/);
    expectBadFile(npy(header('<f4')).subarray(0, 30), /truncated: header length/);
    expectBadFile(npy(header('<f4', '(2,)', 'True'), eight), /Fortran/);
    expectBadFile(npy(header('>f4'), eight), /big-endian/);
    expectBadFile(npy(header('<c16'), eight), /unsupported \.npy dtype <c16/);
    expectBadFile(npy(header('<f4'), [0, 0, 0, 0]), /truncated: shape \(2\) of <f4 needs 8 bytes, the file has 4/);
    expectBadFile(npy(header('<f4'), [...eight, 1]), /1 bytes after the data/);
    expectBadFile(npy(header('<f4', '(2, -1)'), eight), /non-negative integers/);
    expectBadFile(
      npy("{'descr': [('x', '<f4')], 'fortran_order': False, 'shape': (1,), }\n", [0, 0, 0, 0]),
      /structured/,
    );
    expectBadFile(npy("{'descr': '<f4', 'shape': (2,)}\n", eight), /lacks fortran_order/);
    expectBadFile(npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2,)\n", eight), /unreadable \.npy header/);
    expectBadFile(npy('[1, 2]\n'), /must be a dict/);
    expectBadFile(
      npy(header('<i8'), [...Buffer.from(BigInt64Array.of(1n, 2n ** 40n).buffer)]),
      /element 1 = 1099511627776 does not fit in int32/,
    );
  });

  test('bad arrays are rejected at encoding with ERR_INVALID_ARGUMENT', () => {
    const bad = (a: unknown) => () => encodeNpy(a as NdArray);
    expect(bad({ dtype: 'f4', shape: [3], data: new Float32Array(2) })).toThrow(/2 elements but shape \(3\) needs 3/);
    expect(bad({ dtype: 'f4', shape: [2], data: new Float64Array(2) })).toThrow(/needs a Float32Array/);
    expect(bad({ dtype: 'f2', shape: [1], data: new Uint8Array(2) })).toThrow(/dtype must be one of/);
    expect(bad({ dtype: 'u1', shape: [-1], data: new Uint8Array(0) })).toThrow(/non-negative integers/);
    expect(bad(undefined)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }));
  });

  test('the header literal parser', () => {
    expect(parsePythonLiteral("{'a': (1, 2,), \"b\": [True, None], 'c': (3), 'd': ()}")).toEqual(
      new Map<unknown, unknown>([
        ['a', [1, 2]],
        ['b', [true, null]],
        ['c', 3],
        ['d', []],
      ]),
    );
    expect(() => parsePythonLiteral("{'a': 1")).toThrow(/expected ',' or '}'/);
    expect(() => parsePythonLiteral("{'a' 1}")).toThrow(/expected ':'/);
    expect(() => parsePythonLiteral("'abc")).toThrow(/unterminated/);
    expect(() => parsePythonLiteral('os.system()')).toThrow(/unexpected input/);
    expect(() => parsePythonLiteral('1 2')).toThrow(/after the value/);
    expect(() => parsePythonLiteral('99999999999999999999')).toThrow(/too large/);
  });

  describe('files', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'heatbath-npy-'));
    afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

    test('write, read, and a failed write keeps the old file', async () => {
      const target = path.join(dir, 'a.npy');
      await writeNpy(target, arrays[0]);
      expect(await readNpy(target)).toEqual(arrays[0]);
      const before = fs.readFileSync(target);
      await expect(writeNpy(target, { dtype: 'f4', shape: [4], data: new Float32Array(1) })).rejects.toMatchObject({
        code: 'ERR_INVALID_ARGUMENT',
      });
      const rename = jest.spyOn(fs.promises, 'rename').mockRejectedValueOnce(new Error('no space left'));
      try {
        await expect(writeNpy(target, arrays[1])).rejects.toMatchObject({ code: 'ERR_IO' });
      } finally {
        rename.mockRestore();
      }
      expect(fs.readFileSync(target).equals(before)).toBe(true);
      expect(fs.readdirSync(dir)).toEqual(['a.npy']);
      await expect(readNpy(path.join(dir, 'none.npy'))).rejects.toMatchObject({ code: 'ERR_IO' });
      fs.writeFileSync(path.join(dir, 'bad.npy'), 'hello');
      await expect(readNpy(path.join(dir, 'bad.npy'))).rejects.toMatchObject({
        code: 'ERR_BAD_FILE',
        message: /bad\.npy: not a \.npy file/,
      });
    });
  });
});
