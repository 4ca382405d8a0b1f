/**
 * `heatbath eval <samples.npy>`: how digit-like a set of generated images is, beside the same figures
 * for held-out real digits and for noise, so the numbers can be read.
 */
import { readNpy } from '../io/npy';
import { evaluateDigits, DigitEvaluation } from '../eval/digit-eval';
import { invalid } from '../util/validate';

export async function evalCommand(file: string, opts: { seed: number }): Promise<DigitEvaluation> {
  const array = await readNpy(file);
  const pixels = array.shape.slice(1).reduce((a, b) => a * b, 1);
  if (array.shape.length < 2 || pixels !== 784) {
    throw invalid(`${file} has shape [${array.shape}]; expected n × 784 or n × 28 × 28 digit images`);
  }
  const images = Float32Array.from(array.data as ArrayLike<number>, (x) => (array.dtype === 'u1' ? x / 255 : x));
  for (let k = 0; k < images.length; k++) {
    if (!(images[k] >= 0 && images[k] <= 1)) throw invalid(`${file}: value ${k} is ${images[k]}; images must lie in [0, 1] (or be uint8 0…255)`);
  }
  return evaluateDigits(images, { seed: opts.seed });
}
