/**
 * `heatbath merge dtm`: one denoising model from the steps of several, so the independent reverse steps can
 * be trained in separate processes (`train dtm --train-steps …` on copies of one model) and put together.
 */
import { loadModel, saveModel } from '../io/model-file';
import { DenoisingModel } from '../models/dtm';
import { invalid } from '../util/validate';
import { checkOutputs, writeOrRescue } from './outputs';
import { parseSteps } from './train-dtm';

export interface MergeDtmReport {
  out: string;
  steps: Array<{ step: number; from: string }>;
}

/** `parts` are "file:steps" (steps as for --train-steps); every step must come from exactly one part. */
export async function mergeDtmCommand(parts: string[], out: string): Promise<MergeDtmReport> {
  if (parts.length === 0) throw invalid('merge needs at least one model:steps');
  // --out may name one of the parts: every part is read in full before the merged model replaces it.
  checkOutputs([{ flag: '--out', file: out }]);
  const sources: Array<{ file: string; model: DenoisingModel; steps: number[] }> = [];
  for (const part of parts) {
    const at = part.lastIndexOf(':');
    if (at <= 0) throw invalid(`each part must be model.safetensors:steps, e.g. a.safetensors:1-4, not "${part}"`);
    const file = part.slice(0, at);
    const model = await loadModel(file);
    if (!(model instanceof DenoisingModel)) throw invalid(`${file} is not a denoising thermodynamic model (dtm)`);
    sources.push({ file, model, steps: parseSteps(part.slice(at + 1), model.steps) as number[] });
  }
  const base = sources[0].model;
  const shape = (m: DenoisingModel) =>
    JSON.stringify({ ...m.layout.describe(), steps: m.steps, imageRate: m.imageRate, labelRate: m.labelRate });
  const from = new Map<number, string>();
  for (const { file, model, steps } of sources) {
    if (shape(model) !== shape(base))
      throw invalid(`${file} has another layout or schedule than ${sources[0].file}; only copies of one model merge`);
    for (const k of steps) {
      if (from.has(k)) throw invalid(`step ${k} is given twice (${from.get(k)} and ${file})`);
      from.set(k, file);
      base.learnedCouplings(k).set(model.learnedCouplings(k));
      base.learnedBiases(k).set(model.learnedBiases(k));
    }
  }
  const missing = Array.from({ length: base.steps }, (_, k) => k + 1).filter((k) => !from.has(k));
  if (missing.length > 0)
    throw invalid(`steps ${missing.join(', ')} come from no part; give every step of the ${base.steps}`);
  const steps = [...from].sort((a, b) => a[0] - b[0]).map(([step, file]) => ({ step, from: file }));
  base.info = { ...base.info, merged_from: steps };
  await writeOrRescue({ flag: '--out', file: out }, (file) => saveModel(file, base));
  return { out, steps };
}

export function formatMergeDtm(report: MergeDtmReport): string {
  return [...report.steps.map((s) => `step ${s.step} from ${s.from}`), `model written to ${report.out}`].join('\n');
}
