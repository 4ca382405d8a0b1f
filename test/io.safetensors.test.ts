import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { decodeSafetensors, encodeSafetensors, readSafetensors, Tensor, writeSafetensors } from '../lib/io/safetensors';

/** Little-endian u64 header length followed by the header text, exactly as the format spells it. */
function prefix(header: string): number[] {
  const n = header.length;
  return [
    n & 0xff,
    (n >> 8) & 0xff,
    (n >> 16) & 0xff,
    (n >> 24) & 0xff,
    0,
    0,
    0,
    0,
    ...Array.from(header, (c) => c.charCodeAt(0)),
  ];
}

function file(header: string, data: number[] = []): Uint8Array {
  const padded = header + ' '.repeat((8 - (header.length % 8)) % 8);
  return Uint8Array.from([...prefix(padded), ...data]);
}

function expectBadFile(bytes: Uint8Array, message: RegExp): void {
  let caught: unknown;
  try {
    decodeSafetensors(bytes);
  } catch (err) {
    caught = err;
  }
  expect(caught).toMatchObject({ code: 'ERR_BAD_FILE', message: expect.stringMatching(message) });
}

const all: Record<string, Tensor> = {
  f64: { dtype: 'F64', shape: [2], data: Float64Array.of(Math.PI, -1e-300) },
  f32: { dtype: 'F32', shape: [2, 3], data: Float32Array.of(0, 1, 2, 3, 4.5, -6) },
  i64: { dtype: 'I64', shape: [2], data: BigInt64Array.of(-(2n ** 62n), 12345678901234n) },
  i32: { dtype: 'I32', shape: [3], data: Int32Array.of(-2147483648, 0, 2147483647) },
  i16: { dtype: 'I16', shape: [1, 2], data: Int16Array.of(-32768, 32767) },
  i8: { dtype: 'I8', shape: [3], data: Int8Array.of(-128, 0, 127) },
  u8: { dtype: 'U8', shape: [2, 2], data: Uint8Array.of(0, 1, 254, 255) },
  bool: { dtype: 'BOOL', shape: [3], data: Uint8Array.of(1, 0, 1) },
  scalar: { dtype: 'F32', shape: [], data: Float32Array.of(7) },
  empty: { dtype: 'F32', shape: [0, 4], data: new Float32Array(0) },
};

describe('safetensors', () => {
  test('round trip of every dtype, scalars, empty tensors and metadata', () => {
    const bytes = encodeSafetensors(all, { kind: 'test', note: 'ünïcode ✓' });
    const headerLength = Number(bytes.readBigUInt64LE(0));
    expect(headerLength % 8).toBe(0);
    const { tensors, metadata } = decodeSafetensors(bytes);
    expect(metadata).toEqual({ kind: 'test', note: 'ünïcode ✓' });
    expect(Object.keys(tensors).sort()).toEqual(Object.keys(all).sort());
    for (const [name, tensor] of Object.entries(all)) {
      expect(tensors[name].dtype).toBe(tensor.dtype);
      expect(tensors[name].shape).toEqual(tensor.shape);
      expect(tensors[name].data).toEqual(tensor.data);
      // Every tensor starts at a multiple of its element size within the file.
      const info = JSON.parse(bytes.subarray(8, 8 + headerLength).toString())[name];
      expect((8 + headerLength + info.data_offsets[0]) % tensor.data.BYTES_PER_ELEMENT).toBe(0);
    }
    expect(decodeSafetensors(encodeSafetensors({})).tensors).toEqual({});
  });

  test('decodes a file written by hand from the specification', () => {
    const header =
      '{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"I8","shape":[3],"data_offsets":[8,11]},"__metadata__":{"who":"me"}}';
    const data = [0x00, 0x00, 0xc0, 0x3f, 0x00, 0x00, 0x00, 0xc0, 0x01, 0xff, 0x7f]; // 1.5f, -2f, then int8 1, -1, 127
    const { tensors, metadata } = decodeSafetensors(file(header, data));
    expect(metadata).toEqual({ who: 'me' });
    expect(tensors.w).toEqual({ dtype: 'F32', shape: [2], data: Float32Array.of(1.5, -2) });
    expect(tensors.b).toEqual({ dtype: 'I8', shape: [3], data: Int8Array.of(1, -1, 127) });
  });

  test('encoder output equals the hand-built bytes: metadata first, larger elements first, space padding', () => {
    const bytes = encodeSafetensors(
      {
        b: { dtype: 'U8', shape: [3], data: Uint8Array.of(1, 2, 3) },
        a: { dtype: 'F64', shape: [1], data: Float64Array.of(-2) },
      },
      { k: 'v' },
    );
    const header =
      '{"__metadata__":{"k":"v"},"a":{"dtype":"F64","shape":[1],"data_offsets":[0,8]},"b":{"dtype":"U8","shape":[3],"data_offsets":[8,11]}}';
    expect(header.length).toBe(132); // padded with 4 spaces to 136
    const expected = [
      ...prefix(header + '    '),
      ...[0, 0, 0, 0, 0, 0, 0x00, 0xc0], // -2.0 as a little-endian double
      ...[1, 2, 3],
    ];
    expect(Array.from(bytes)).toEqual(expected);
  });

  test('decoded arrays are aligned copies even when the input buffer is not aligned', () => {
    const bytes = encodeSafetensors({ x: { dtype: 'F64', shape: [2], data: Float64Array.of(1, 2) } });
    const shifted = new Uint8Array(bytes.length + 3).subarray(3);
    shifted.set(bytes);
    const x = decodeSafetensors(shifted).tensors.x.data as Float64Array;
    expect(x.byteOffset % 8).toBe(0);
    expect(Array.from(x)).toEqual([1, 2]);
    shifted.fill(0);
    expect(Array.from(x)).toEqual([1, 2]); // independent of the file buffer
  });

  test('every malformed file is ERR_BAD_FILE naming the problem', () => {
    const ok = '{"t":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}';
    const eight = [0, 0, 0, 0, 0, 0, 0, 0];
    expectBadFile(Uint8Array.of(1, 2, 3), /truncated.*too short/);
    expectBadFile(Uint8Array.of(200, 0, 0, 0, 0, 0, 0, 0, 0x7b), /truncated: header length 200/);
    expectBadFile(Uint8Array.of(0, 0, 0, 0, 0, 1, 0, 0, 0x7b), /absurd/); // 2^40 bytes of header
    expectBadFile(Uint8Array.of(0x01, 0xe1, 0xf5, 0x05, 0, 0, 0, 0, 0x7b), /absurd/); // 100,000,001 bytes
    expectBadFile(file('{"t": '), /not valid JSON/);
    expectBadFile(Uint8Array.from([...prefix('"\xff"    ')].map((b, k) => (k === 9 ? 0xff : b))), /UTF-8/);
    expectBadFile(file('[1, 2]'), /JSON object/);
    expectBadFile(file(ok.replace('F32', 'Q4')), /unknown or unsupported dtype "Q4"/);
    expectBadFile(file(ok.replace('F32', 'F16')), /unsupported dtype "F16"/);
    expectBadFile(file(ok.replace('[2]', '[3]'), eight), /shape \[3\] needs 12 bytes but data_offsets span 8/);
    expectBadFile(file(ok.replace('[2]', '[-2]'), eight), /non-negative integers/);
    expectBadFile(file(ok.replace('[0,8]', '[8,0]'), eight), /end before they begin/);
    expectBadFile(file(ok.replace('[0,8]', '[0]'), eight), /data_offsets must be/);
    expectBadFile(file(ok, [0, 0, 0, 0]), /truncated or out of range: tensor "t" ends at byte 8 of a 4-byte buffer/);
    expectBadFile(file(ok, [...eight, 9]), /1 trailing bytes/);
    const two = (a: string, b: string) =>
      `{"a":{"dtype":"U8","shape":[2],"data_offsets":${a}},"b":{"dtype":"U8","shape":[2],"data_offsets":${b}}}`;
    expectBadFile(file(two('[0,2]', '[1,3]'), [1, 2, 3]), /"b" overlaps/);
    expectBadFile(file(two('[0,2]', '[3,5]'), [1, 2, 3, 4, 5]), /hole in the byte buffer: bytes 2…3/);
    expectBadFile(file(two('[0,2]', '[2,4]'), [1, 2]), /out of range/);
    expectBadFile(file('{"__metadata__":{"n":1}}'), /"n" must be a string, got 1/);
    expectBadFile(file('{"__metadata__":[]}'), /__metadata__ must be an object/);
    expectBadFile(file('{"t":5}'), /"t" must be an object/);
    expectBadFile(file('{"t":{"dtype":"BOOL","shape":[1],"data_offsets":[0,1]}}', [2]), /other than 0\/1/);
    // A real file cut short anywhere is rejected.
    const whole = encodeSafetensors(all);
    for (const cut of [4, 20, whole.length - 1]) expectBadFile(whole.subarray(0, cut), /truncated/);
  });

  test('bad tensors are rejected at encoding with ERR_INVALID_ARGUMENT', () => {
    const bad = (t: unknown) => () => encodeSafetensors({ t: t as Tensor });
    expect(bad({ dtype: 'F32', shape: [3], data: new Float32Array(2) })).toThrow(/2 elements but shape \[3\] needs 3/);
    expect(bad({ dtype: 'F32', shape: [2], data: new Float64Array(2) })).toThrow(
      /needs a Float32Array, got Float64Array/,
    );
    expect(bad({ dtype: 'F16', shape: [1], data: new Uint8Array(2) })).toThrow(/unknown dtype F16/);
    expect(bad({ dtype: 'U8', shape: [1.5], data: new Uint8Array(1) })).toThrow(/non-negative integers/);
    expect(bad(null)).toThrow(/must be \{ dtype, shape, data \}/);
    expect(bad({ dtype: 'BOOL', shape: [1], data: Uint8Array.of(3) })).toThrow(/0\/1/);
    expect(() => encodeSafetensors({ __metadata__: all.u8 })).toThrow(/reserved/);
    expect(() => encodeSafetensors({}, { n: 1 as unknown as string })).toThrow(/must be a string/);
    expect(bad({ dtype: 'F32', shape: [3], data: new Float32Array(2) })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }),
    );
  });

  describe('files', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'heatbath-st-'));
    afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

    test('write then read; read errors name the file', async () => {
      const target = path.join(dir, 'model.safetensors');
      await writeSafetensors(target, all, { a: 'b' });
      const back = await readSafetensors(target);
      expect(back.metadata).toEqual({ a: 'b' });
      expect(back.tensors.i64.data).toEqual(all.i64.data);
      await expect(readSafetensors(path.join(dir, 'missing.safetensors'))).rejects.toMatchObject({ code: 'ERR_IO' });
      const broken = path.join(dir, 'broken.safetensors');
      fs.writeFileSync(broken, Uint8Array.of(1, 2));
      await expect(readSafetensors(broken)).rejects.toMatchObject({
        code: 'ERR_BAD_FILE',
        message: expect.stringContaining(`${broken}: truncated`),
      });
    });

    test('a failed write leaves the previous file intact', async () => {
      const target = path.join(dir, 'keep.safetensors');
      await writeSafetensors(target, { x: all.f32 });
      const before = fs.readFileSync(target);
      // The encoder fails: nothing is written.
      await expect(
        writeSafetensors(target, { x: { dtype: 'F32', shape: [9], data: new Float32Array(1) } }),
      ).rejects.toMatchObject({
        code: 'ERR_INVALID_ARGUMENT',
      });
      // The disk fails after the data is written, before the rename.
      const rename = jest.spyOn(fs.promises, 'rename').mockRejectedValueOnce(new Error('disk on fire'));
      try {
        await expect(writeSafetensors(target, { y: all.u8 })).rejects.toMatchObject({
          code: 'ERR_IO',
          message: /disk on fire/,
        });
      } finally {
        rename.mockRestore();
      }
      expect(fs.readFileSync(target).equals(before)).toBe(true);
      expect(fs.readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    });
  });
});
