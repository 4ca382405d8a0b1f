/**
 * Error messages quote values from hostile files through util/preview: a value nested too deeply for
 * JSON.stringify, or megabytes long, still gives the file's coded error with a short message.
 */
import { decodeSafetensors } from '../lib/io/safetensors';
import { preview } from '../lib/util/preview';

function safetensorsWithHeader(json: string): Buffer {
  const header = Buffer.from(json, 'utf8');
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(header.length));
  return Buffer.concat([length, header]);
}

test('a tensor shape nested 100,000 deep is ERR_BAD_FILE, not a stack overflow', () => {
  const depth = 100_000;
  const file = safetensorsWithHeader(
    `{"t":{"dtype":"F32","shape":${'['.repeat(depth)}${']'.repeat(depth)},"data_offsets":[0,0]}}`,
  );
  expect(() => decodeSafetensors(file)).toThrow(expect.objectContaining({ code: 'ERR_BAD_FILE' }));
});

test('a huge value is quoted in at most a few dozen characters', () => {
  const file = safetensorsWithHeader(`{"t":{"dtype":"${'x'.repeat(1_000_000)}","shape":[1],"data_offsets":[0,4]}}`);
  let message = '';
  try {
    decodeSafetensors(file);
  } catch (err) {
    message = (err as Error).message;
  }
  expect(message).toMatch(/unknown or unsupported dtype/);
  expect(message.length).toBeLessThan(300);
});

test('preview never throws and stays short', () => {
  let deep: unknown = [];
  for (let k = 0; k < 100_000; k++) deep = [deep];
  expect(preview(deep)).toBe('an array nested too deeply to show');
  expect(preview('a'.repeat(1000))).toMatch(/… \(1002 characters\)$/);
  expect(preview({ steps: 8 })).toBe('{"steps":8}');
  expect(preview(undefined)).toBe('undefined');
});

test('model settings nested deeper than a model needs are ERR_BAD_FILE (a deep array overflowed String())', async () => {
  const fs = await import('fs');
  const os = await import('os');
  const path = await import('path');
  const { encodeModel, loadModel } = await import('../lib/io/model-file');
  await import('../lib/models/model-kinds');
  const { RBM } = await import('../lib/models/rbm');
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'heatbath-preview-')), 'deep.safetensors');
  const depth = 100_000;
  const bytes = encodeModel(RBM.create({ visible: 4, hidden: 3, seed: 1 }));
  // Rewrite the settings' JSON inside the header with a deeply nested image_cols, keeping the header valid.
  const headerLength = Number(bytes.readBigUInt64LE(0));
  const header = JSON.parse(bytes.toString('utf8', 8, 8 + headerLength));
  const hyper = JSON.parse(header.__metadata__.hyper);
  header.__metadata__.hyper = JSON.stringify({ ...hyper, image_cols: 0 }).replace(
    '"image_cols":0',
    `"image_cols":${'['.repeat(depth)}${']'.repeat(depth)}`,
  );
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(json.length));
  fs.writeFileSync(file, Buffer.concat([length, json, bytes.subarray(8 + headerLength)]));
  await expect(loadModel(file)).rejects.toMatchObject({
    code: 'ERR_BAD_FILE',
    message: expect.stringMatching(/nests deeper/),
  });
});
