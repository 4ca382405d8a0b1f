/** What the second-order optimizers share: one flat parameter group checked against the linearisation of its step. */
import { Linearization } from '../nn/classifier';
import { invalid } from '../util/validate';
import { ParamGroup } from '../nn/optimizers';

/** The single group's parameters and the step's linearisation (consumed: each step needs a fresh one). */
export function curvatureStep(
  name: string,
  groups: ParamGroup[],
  lin: Linearization | undefined,
): { param: Float32Array; lin: Linearization } {
  if (lin === undefined)
    throw invalid(`${name} needs the model's curvature: call setCurvature(model.linearize(batch)) before every step`);
  if (!Array.isArray(groups) || groups.length !== 1) {
    throw invalid(`${name} optimizes one flat parameter vector (the model's params): pass exactly one group`);
  }
  const { param } = groups[0];
  if (!(param instanceof Float32Array) || param.length !== lin.parameters) {
    throw invalid(`${name}: the group has ${param?.length} parameters but the linearised model has ${lin.parameters}`);
  }
  return { param, lin };
}

/** ∇ℓ = Jᵀ e of a linearisation. */
export function lossGradient(lin: Linearization): Float32Array {
  const out = new Float32Array(lin.parameters);
  lin.vjp(lin.logitGradient, out);
  return out;
}
