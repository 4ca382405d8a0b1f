/** The model kinds the server can sample, and the one that serves a loaded model. */
import { dtmKind } from './dtm';
import { gtcKind } from './gtc';
import { isingKind } from './ising';
import { langevinKind } from './langevin';
import { ServedKind } from './plan';
import { rbmKind } from './rbm';

export * from './plan';

// Each kind's `is` guards its own methods, so the list is held with the model type erased.
const KINDS = [isingKind, rbmKind, dtmKind, gtcKind, langevinKind] as unknown as ReadonlyArray<ServedKind<unknown>>;

/** The serving rules of a model, or undefined for a model the server cannot sample. */
export function servedKind(model: unknown): ServedKind<unknown> | undefined {
  return KINDS.find((k) => k.is(model));
}
