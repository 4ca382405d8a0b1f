import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  decodeModel,
  encodeModel,
  loadModel,
  ModelFile,
  modelKinds,
  registerModelKind,
  saveModel,
} from '../lib/io/model-file';
import { decodeSafetensors, encodeSafetensors, Tensor } from '../lib/io/safetensors';

/** A toy model kind. Version 1 files called the weights "weights"; version 2 calls them "w". */
class Toy {
  constructor(
    readonly w: Float32Array,
    readonly size: number,
  ) {}

  toModelFile(): ModelFile {
    return {
      kind: 'toy',
      version: 2,
      tensors: { w: { dtype: 'F32', shape: [this.size], data: this.w } },
      hyper: { size: this.size },
    };
  }
}

registerModelKind('toy', 2, (file) => {
  const w = file.tensors[file.version === 1 ? 'weights' : 'w'];
  if (w === undefined) throw new Error('no weights tensor');
  return new Toy(w.data as Float32Array, file.hyper.size as number);
});

function toyFile(
  metadata: Record<string, string>,
  tensors: Record<string, Tensor> = { w: { dtype: 'F32', shape: [2], data: Float32Array.of(1, 2) } },
) {
  return encodeSafetensors(tensors, { kind: 'toy', format_version: '2', hyper: '{"size":2}', ...metadata });
}

function expectBadFile(bytes: Uint8Array, message: RegExp): void {
  expect(() => decodeModel(bytes)).toThrow(
    expect.objectContaining({ code: 'ERR_BAD_FILE', message: expect.stringMatching(message) }),
  );
}

describe('model files', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'heatbath-model-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('save and load through the registry; the file is plain safetensors with descriptive metadata', async () => {
    const target = path.join(dir, 'toy.safetensors');
    await saveModel(target, new Toy(Float32Array.of(0.5, -1.5, 2), 3));
    const loaded = await loadModel(target);
    expect(loaded).toBeInstanceOf(Toy);
    expect((loaded as Toy).w).toEqual(Float32Array.of(0.5, -1.5, 2));
    expect((loaded as Toy).size).toBe(3);
    const { metadata } = decodeSafetensors(fs.readFileSync(target));
    const version = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8')).version;
    expect(metadata).toEqual({ kind: 'toy', format_version: '2', heatbath_version: version, hyper: '{"size":3}' });
    expect(modelKinds()).toContain('toy');
  });

  test('older layouts reach the loader with their version', () => {
    const old = encodeSafetensors(
      { weights: { dtype: 'F32', shape: [1], data: Float32Array.of(4) } },
      { kind: 'toy', format_version: '1', hyper: '{"size":1}' },
    );
    expect((decodeModel(old) as Toy).w).toEqual(Float32Array.of(4));
  });

  test('bad model files are ERR_BAD_FILE naming the problem', () => {
    expectBadFile(encodeSafetensors({}), /not a heatbath model/);
    expectBadFile(toyFile({ kind: 'dbn' }), /unknown model kind "dbn" \(known: .*toy/);
    expectBadFile(
      toyFile({ format_version: '3', heatbath_version: '9.0.0' }),
      /format version 3 .* reads up to 2; upgrade heatbath \(the file was written by 9\.0\.0\)/,
    );
    expectBadFile(toyFile({ format_version: 'two' }), /format_version must be a positive integer/);
    expectBadFile(toyFile({ format_version: '0' }), /format_version must be a positive integer/);
    expectBadFile(toyFile({ hyper: '{size' }), /hyper is not valid JSON/);
    expectBadFile(toyFile({ hyper: '[1]' }), /hyper must be a JSON object/);
    expectBadFile(
      toyFile({}, { w: { dtype: 'F32', shape: [3], data: Float32Array.of(1, NaN, 2) } }),
      /tensor "w"\[1\] is NaN/,
    );
    expectBadFile(
      toyFile({}, { w: { dtype: 'F64', shape: [1], data: Float64Array.of(-Infinity) } }),
      /tensor "w"\[0\] is -Infinity/,
    );
    expectBadFile(
      toyFile({}, { v: { dtype: 'F32', shape: [1], data: Float32Array.of(1) } }),
      /could not load the toy model: no weights tensor/,
    );
    expectBadFile(Uint8Array.of(1, 2, 3), /truncated/);
  });

  test('saving a model with NaN parameters or a bad description fails and keeps the old file', async () => {
    const target = path.join(dir, 'keep.safetensors');
    await saveModel(target, new Toy(Float32Array.of(1), 1));
    const before = fs.readFileSync(target);
    await expect(saveModel(target, new Toy(Float32Array.of(1, Infinity), 2))).rejects.toMatchObject({
      code: 'ERR_NOT_FINITE',
      message: expect.stringContaining('tensor "w"[1] is Infinity'),
    });
    const saving = (file: Partial<ModelFile>) => () =>
      encodeModel({ toModelFile: () => ({ ...new Toy(Float32Array.of(1), 1).toModelFile(), ...file }) });
    expect(saving({ kind: 'nope' })).toThrow(/not registered/);
    expect(saving({ version: 3 })).toThrow(/version must be an integer in \[1, 2\]/);
    expect(saving({ hyper: [] as unknown as Record<string, unknown> })).toThrow(/hyper-parameters must be an object/);
    expect(saving({ hyper: { big: 1n } })).toThrow(/not JSON-serialisable/);
    expect(() => encodeModel({} as never)).toThrow(/toModelFile/);
    expect(fs.readFileSync(target).equals(before)).toBe(true);
    await expect(loadModel(path.join(dir, 'absent.safetensors'))).rejects.toMatchObject({ code: 'ERR_IO' });
  });

  test('registration checks its arguments', () => {
    expect(() => registerModelKind('', 1, () => new Toy(new Float32Array(0), 0))).toThrow(/kind must be a word/);
    expect(() => registerModelKind('x', 0, () => new Toy(new Float32Array(0), 0))).toThrow(/latestVersion/);
    expect(() => registerModelKind('x', 1, undefined as never)).toThrow(/load must be a function/);
  });
});
