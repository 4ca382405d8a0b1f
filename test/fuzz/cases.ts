/** The fuzz kinds and the case generator: case i of a seed is always the same input. */
import { cliArguments } from './formats/cli';
import { mutateIdx, mutateIdxGz } from './formats/idx';
import { mutateNpy } from './formats/npy';
import { scheduleString } from './formats/schedule';
import { mutateSafetensors } from './formats/safetensors';
import { CaseRandom } from './random';
import { Fixtures, Seeds } from './seeds';

export type Case =
  { index: number; kind: string; ext: string; input: Buffer } | { index: number; kind: 'cli'; argv: string[] };

type Mutator = (rng: CaseRandom, seed: Buffer, donor: Buffer) => Buffer;

/** File kinds: the extension of their case files and how a seed file is mutated. */
const FILE_KINDS: Record<string, { ext: string; mutate: Mutator }> = {
  rbm: { ext: '.safetensors', mutate: mutateSafetensors },
  gtc: { ext: '.safetensors', mutate: mutateSafetensors },
  dtm: { ext: '.safetensors', mutate: mutateSafetensors },
  safetensors: { ext: '.safetensors', mutate: mutateSafetensors },
  npy: { ext: '.npy', mutate: mutateNpy },
  idx: { ext: '.idx', mutate: mutateIdx },
  'idx-gz': { ext: '.idx.gz', mutate: mutateIdxGz },
  classifier: { ext: '.safetensors', mutate: mutateSafetensors },
};

export const KINDS = [...Object.keys(FILE_KINDS), 'schedule', 'cli'];

export function makeCase(seed: number, index: number, kinds: string[], seeds: Seeds, fixtures: Fixtures): Case {
  const rng = new CaseRandom(seed, index);
  const kind = kinds[index % kinds.length];
  if (kind === 'cli') return { index, kind, argv: cliArguments(rng, fixtures) };
  if (kind === 'schedule') return { index, kind, ext: '.txt', input: Buffer.from(scheduleString(rng), 'utf8') };
  const { ext, mutate } = FILE_KINDS[kind];
  return { index, kind, ext, input: mutate(rng, rng.pick(seeds[kind]), rng.pick(seeds[kind])) };
}
