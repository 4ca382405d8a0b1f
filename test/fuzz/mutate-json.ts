/**
 * Mutations of JSON documents (safetensors headers, model hyper-parameters), done on the
 * text so they can hold what JSON.stringify never writes: huge and non-finite numbers, duplicate and
 * __proto__ keys, nesting deeper than any parser's stack.
 */
import { CaseRandom } from './random';

/** Numbers as text: sizes at type boundaries, negative, fractional, overflowing to Infinity, unsafe integers. */
export const HOSTILE_NUMBERS = [
  '0',
  '-1',
  '1.5',
  '-0',
  '1e9',
  '65536',
  '2147483648',
  '4294967296',
  '4294967297',
  '9007199254740993',
  '1e308',
  '1e400',
  '-1e400',
  '5e-324',
  '1e-400',
];

/** Names that are keys of every object's prototype. */
export const PROTOTYPE_KEYS = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf'];

function nested(rng: CaseRandom): string {
  const depth = rng.pick([100, 10_000, 200_000]);
  return rng.chance(0.5) ? '['.repeat(depth) + ']'.repeat(depth) : '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
}

/** One JSON value as text, chosen to break a reader that trusts the file. */
export function hostileJsonValue(rng: CaseRandom): string {
  switch (rng.int(6)) {
    case 0:
    case 1:
      return rng.pick(HOSTILE_NUMBERS);
    case 2:
      return JSON.stringify(
        rng.pick(['', '1', 'NaN', 'Infinity', '1e9', '0x10', 'x'.repeat(100_000), ...PROTOTYPE_KEYS]),
      );
    case 3:
      return rng.pick([
        'null',
        'true',
        'false',
        '[]',
        '{}',
        '[1,2]',
        '{"__proto__":{"polluted":1}}',
        'NaN',
        'Infinity',
        '',
      ]);
    case 4:
      return nested(rng);
    default:
      return `[${Array.from({ length: rng.pick([3, 100, 100_000]) }, () => rng.pick(HOSTILE_NUMBERS)).join(',')}]`;
  }
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Path = (string | number)[];

function containers(
  value: Json,
  path: Path = [],
  out: { path: Path; value: Json }[] = [],
): { path: Path; value: Json }[] {
  out.push({ path, value });
  if (Array.isArray(value)) value.forEach((item, k) => containers(item, [...path, k], out));
  else if (value !== null && typeof value === 'object')
    for (const [key, item] of Object.entries(value)) containers(item, [...path, key], out);
  return out;
}

const MARK = '\u0000fuzz-mark\u0000';
const MARK_TEXT = JSON.stringify(MARK);

function setAt(root: Json, path: Path, value: Json): Json {
  if (path.length === 0) return value;
  const copy = structuredClone(root) as Record<string | number, Json>;
  let node = copy;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, Json>;
  node[path[path.length - 1]] = value;
  return copy as Json;
}

/**
 * The document with one node replaced by a hostile value, or deleted, or an object given an extra key
 * (a __proto__ key, a duplicate of one of its keys, or a random one). `where` limits the choice to
 * nodes whose path passes it.
 */
export function mutateJson(rng: CaseRandom, doc: Json, where: (path: Path) => boolean = () => true): string {
  const nodes = containers(doc).filter((n) => where(n.path));
  if (nodes.length === 0) return JSON.stringify(doc);
  const { path, value } = rng.pick(nodes);
  const isObject = value !== null && typeof value === 'object' && !Array.isArray(value);
  const op = rng.int(isObject ? 4 : 2);
  if (op === 1 && path.length > 0) {
    const copy = structuredClone(doc);
    const parent = path.slice(0, -1).reduce((node, key) => (node as Record<string | number, Json>)[key], copy as Json);
    const last = path[path.length - 1];
    if (Array.isArray(parent)) parent.splice(last as number, 1);
    else delete (parent as Record<string, Json>)[last as string];
    return JSON.stringify(copy);
  }
  if (op >= 2 && isObject) {
    const keys = Object.keys(value);
    const key = op === 2 ? rng.pick(PROTOTYPE_KEYS) : keys.length > 0 ? rng.pick(keys) : 'x';
    const withKey = setAt(doc, path, { ...value, [MARK]: MARK });
    return JSON.stringify(withKey).replace(
      `${MARK_TEXT}:${MARK_TEXT}`,
      () => `${JSON.stringify(key)}:${hostileJsonValue(rng)}`,
    );
  }
  return JSON.stringify(setAt(doc, path, MARK)).replace(MARK_TEXT, () => hostileJsonValue(rng));
}

export type { Json };
