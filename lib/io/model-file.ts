/**
 * Model files: a safetensors file whose __metadata__ says what it holds, so any heatbath model can be saved and
 * loaded by one pair of functions, and the tensors stay readable from Python.
 *   kind               which model ('rbm', …); each kind registers a loader
 *   format_version     the kind's file layout version (an integer); loaders may upgrade older layouts
 *   heatbath_version   the writer's version, for diagnosis
 *   hyper              the hyper-parameters as a JSON object
 */
import { HeatbathError } from '../errors';
import { checkInteger, invalid } from '../util/validate';
import { heatbathVersion } from '../util/version';
import { writeFileAtomic } from './atomic';
import { badFile } from './bytes';
import { readDeclaredFile } from './read-file';
import { decodeSafetensors, encodeSafetensors, safetensorsLength, Tensor } from './safetensors';
import { preview } from '../util/preview';

export interface ModelFile {
  kind: string;
  /** The layout version the tensors and hyper-parameters follow. */
  version: number;
  tensors: Record<string, Tensor>;
  hyper: Record<string, unknown>;
}

/** The float32 tensor `name` of a model file, checked against `shape` (a bad file otherwise). */
export function f32Tensor(file: ModelFile, name: string, shape: number[]): Float32Array {
  const t = file.tensors[name];
  if (t === undefined) throw badFile(`the ${file.kind} file has no tensor "${name}"`);
  if (t.dtype !== 'F32' || !(t.data instanceof Float32Array))
    throw badFile(`tensor "${name}" is ${t.dtype}; expected F32`);
  if (t.shape.join('×') !== shape.join('×'))
    throw badFile(`tensor "${name}" has shape [${t.shape}]; expected [${shape}]`);
  return t.data;
}

/** The int32 tensor `name` of a model file, checked against `shape` (a bad file otherwise). */
export function i32Tensor(file: ModelFile, name: string, shape: number[]): Int32Array {
  const t = file.tensors[name];
  if (t === undefined) throw badFile(`the ${file.kind} file has no tensor "${name}"`);
  if (t.dtype !== 'I32' || !(t.data instanceof Int32Array))
    throw badFile(`tensor "${name}" is ${t.dtype}; expected I32`);
  if (t.shape.join('×') !== shape.join('×'))
    throw badFile(`tensor "${name}" has shape [${t.shape}]; expected [${shape}]`);
  return t.data;
}

export interface SavableModel {
  toModelFile(): ModelFile;
}

interface Kind {
  latestVersion: number;
  load: (file: ModelFile) => SavableModel;
}

const kinds = new Map<string, Kind>();

/**
 * Makes a model kind loadable. `load` receives files of any version from 1 to `latestVersion` and must build
 * the model (upgrading older layouts). Registering a kind again replaces its loader.
 */
export function registerModelKind(kind: string, latestVersion: number, load: (file: ModelFile) => SavableModel): void {
  if (typeof kind !== 'string' || !/^[a-z][a-z0-9_-]*$/i.test(kind))
    throw invalid(`model kind must be a word, got ${String(kind)}`);
  checkInteger('latestVersion', latestVersion, 1);
  if (typeof load !== 'function') throw invalid('load must be a function (file) => model');
  kinds.set(kind, { latestVersion, load });
}

export function modelKinds(): string[] {
  return [...kinds.keys()].sort();
}

function knownKinds(): string {
  return kinds.size === 0 ? 'none registered' : `known: ${modelKinds().join(', ')}`;
}

/** Index of the first NaN or ±Infinity in a float tensor, or -1. */
function firstNonFinite(tensor: Tensor): number {
  if (tensor.dtype !== 'F32' && tensor.dtype !== 'F64') return -1;
  const data = tensor.data as Float32Array | Float64Array;
  for (let k = 0; k < data.length; k++) if (!Number.isFinite(data[k])) return k;
  return -1;
}

export function encodeModel(model: SavableModel): Buffer {
  if (model == null || typeof model.toModelFile !== 'function')
    throw invalid('saveModel needs a model with toModelFile()');
  const file = model.toModelFile();
  if (file == null || typeof file !== 'object')
    throw invalid('toModelFile() must return { kind, version, tensors, hyper }');
  const kind = kinds.get(file.kind);
  if (kind === undefined) throw invalid(`model kind "${file.kind}" is not registered (${knownKinds()})`);
  checkInteger(`${file.kind} file version`, file.version, 1, kind.latestVersion);
  if (file.hyper === null || typeof file.hyper !== 'object' || Array.isArray(file.hyper)) {
    throw invalid('hyper-parameters must be an object');
  }
  let hyper: string;
  try {
    hyper = JSON.stringify(file.hyper);
  } catch (err) {
    throw invalid(`hyper-parameters are not JSON-serialisable: ${(err as Error).message}`);
  }
  const bytes = encodeSafetensors(file.tensors, {
    kind: file.kind,
    format_version: String(file.version),
    heatbath_version: heatbathVersion(),
    hyper,
  });
  for (const [name, tensor] of Object.entries(file.tensors)) {
    const k = firstNonFinite(tensor);
    if (k >= 0)
      throw new HeatbathError('ERR_NOT_FINITE', `tensor "${name}"[${k}] is ${tensor.data[k]}; refusing to save`);
  }
  return bytes;
}

export function decodeModel(bytes: Uint8Array): SavableModel {
  const { tensors, metadata } = decodeSafetensors(bytes);
  const { kind: name, format_version: versionText, hyper: hyperText } = metadata;
  if (name === undefined) throw badFile('not a heatbath model: the safetensors metadata has no "kind"');
  const kind = kinds.get(name);
  if (kind === undefined) throw badFile(`unknown model kind "${name}" (${knownKinds()})`);
  const version = Number(versionText);
  if (!/^\d+$/.test(versionText ?? '') || version < 1)
    throw badFile(`format_version must be a positive integer, got ${preview(versionText)}`);
  if (version > kind.latestVersion) {
    throw badFile(
      `this ${name} file has format version ${version} but this heatbath (${heatbathVersion()}) reads up to ` +
        `${kind.latestVersion}; upgrade heatbath (the file was written by ${metadata.heatbath_version ?? 'an unknown version'})`,
    );
  }
  let hyper: unknown;
  try {
    hyper = JSON.parse(hyperText ?? '{}');
  } catch (err) {
    throw badFile(`hyper is not valid JSON: ${(err as Error).message}`);
  }
  if (hyper === null || typeof hyper !== 'object' || Array.isArray(hyper)) throw badFile('hyper must be a JSON object');
  // Settings are a few levels deep; a hostile file's deeper nesting would overflow the stack wherever a value
  // is compared or turned into text (String([[[…]]]) recurses), so it is refused here, once.
  if (jsonDepth(hyper) > MAX_HYPER_DEPTH) throw badFile(`hyper nests deeper than ${MAX_HYPER_DEPTH} levels`);
  for (const [tensorName, tensor] of Object.entries(tensors)) {
    const k = firstNonFinite(tensor);
    if (k >= 0) throw badFile(`tensor "${tensorName}"[${k}] is ${tensor.data[k]}: a model's parameters must be finite`);
  }
  try {
    return kind.load({ kind: name, version, tensors, hyper: hyper as Record<string, unknown> });
  } catch (err) {
    // The loader's argument checks failing means the file's content is wrong.
    const content =
      !(err instanceof HeatbathError) || err.code === 'ERR_INVALID_ARGUMENT' || err.code === 'ERR_NOT_FINITE';
    if (!content) throw err;
    throw new HeatbathError('ERR_BAD_FILE', `could not load the ${name} model: ${(err as Error).message}`, {
      cause: err,
    });
  }
}

/** Saves atomically: a failure (bad model, full disk) leaves any previous file untouched. */
export async function saveModel(path: string, model: SavableModel): Promise<void> {
  await writeFileAtomic(path, encodeModel(model));
}

export async function loadModel(path: string): Promise<SavableModel> {
  return readDeclaredFile(path, safetensorsLength, decodeModel);
}

const MAX_HYPER_DEPTH = 32;

/** How deep a parsed JSON value nests (objects and arrays), without recursion. */
function jsonDepth(root: unknown): number {
  let deepest = 0;
  const stack: Array<[unknown, number]> = [[root, 1]];
  while (stack.length > 0) {
    const [value, depth] = stack.pop()!;
    if (value === null || typeof value !== 'object') continue;
    deepest = Math.max(deepest, depth);
    if (deepest > MAX_HYPER_DEPTH) return deepest;
    for (const child of Object.values(value)) stack.push([child, depth + 1]);
  }
  return deepest;
}
