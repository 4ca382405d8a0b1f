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
  const file = safetensorsWithHeader(`{"t":{"dtype":"F32","shape":${'['.repeat(depth)}${']'.repeat(depth)},"data_offsets":[0,0]}}`);
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
