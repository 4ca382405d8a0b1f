/**
 * Whether generated images cover the data, not only resemble it: within-class diversity (how far apart the
 * samples of one class are, against real digits of that class) and precision/recall in a feature space by
 * k-nearest-neighbour manifolds (Kynkäänniemi et al., "Improved precision and recall metric for assessing
 * generative models", NeurIPS 2019). A generator that draws one perfect digit per class has full precision
 * but diversity and recall near 0.
 */

/** Neighbour count of the k-NN manifolds (the paper's default). */
export const MANIFOLD_NEIGHBOURS = 3;

/** Euclidean distance between rows `i` of `a` and `j` of `b` (both row-major with `width` columns). */
function distance(a: Float32Array, i: number, b: Float32Array, j: number, width: number): number {
  let sum = 0;
  const ai = i * width;
  const bj = j * width;
  for (let k = 0; k < width; k++) {
    const d = a[ai + k] - b[bj + k];
    sum += d * d;
  }
  return Math.sqrt(sum);
}

/** Mean distance over all pairs of the listed rows (NaN for fewer than 2 rows). */
export function meanPairwiseDistance(rows: Float32Array, width: number, members: ArrayLike<number>): number {
  let sum = 0;
  let pairs = 0;
  for (let x = 0; x < members.length; x++) {
    for (let y = x + 1; y < members.length; y++) {
      sum += distance(rows, members[x], rows, members[y], width);
      pairs++;
    }
  }
  return pairs === 0 ? NaN : sum / pairs;
}

/** The row indices of each class 0…classes−1. */
export function membersByClass(labels: ArrayLike<number>, classes: number): number[][] {
  const members = Array.from({ length: classes }, () => [] as number[]);
  for (let k = 0; k < labels.length; k++) members[labels[k]].push(k);
  return members;
}

/** @inline */
export interface Diversity {
  /** Per class: the samples' mean pairwise distance over the real digits' (null with fewer than 2 samples). */
  perClass: (number | null)[];
  /** The per-class ratios averaged with each class weighted by its share of the samples (NaN if none). */
  overall: number;
}

/**
 * Within-class diversity of `images` grouped by `labels`, relative to `realSpread[c]`, the mean pairwise
 * distance of real images of class c in the same representation.
 */
export function withinClassDiversity(
  images: Float32Array,
  width: number,
  labels: ArrayLike<number>,
  realSpread: readonly number[],
): Diversity {
  const members = membersByClass(labels, realSpread.length);
  const perClass = members.map((rows, c) =>
    rows.length < 2 ? null : meanPairwiseDistance(images, width, rows) / realSpread[c],
  );
  let weighted = 0;
  let weight = 0;
  perClass.forEach((ratio, c) => {
    if (ratio === null) return;
    weighted += ratio * members[c].length;
    weight += members[c].length;
  });
  return { perClass, overall: weight === 0 ? NaN : weighted / weight };
}

/** Each row's distance to its k-th nearest other row (the radius of its ball in the k-NN manifold). */
function neighbourRadii(rows: Float32Array, count: number, width: number, k: number): Float64Array {
  const radii = new Float64Array(count);
  const nearest = new Float64Array(k); // ascending, the k smallest distances seen so far
  for (let i = 0; i < count; i++) {
    nearest.fill(Infinity);
    for (let j = 0; j < count; j++) {
      if (j === i) continue;
      const d = distance(rows, i, rows, j, width);
      if (d >= nearest[k - 1]) continue;
      let slot = k - 1;
      while (slot > 0 && nearest[slot - 1] > d) {
        nearest[slot] = nearest[slot - 1];
        slot--;
      }
      nearest[slot] = d;
    }
    radii[i] = nearest[k - 1];
  }
  return radii;
}

/** Share of the `query` rows that fall inside at least one ball of the manifold (`rows`, `radii`). */
function shareInside(
  query: Float32Array,
  queries: number,
  rows: Float32Array,
  radii: Float64Array,
  width: number,
): number {
  let inside = 0;
  for (let q = 0; q < queries; q++) {
    for (let i = 0; i < radii.length; i++) {
      if (distance(query, q, rows, i, width) <= radii[i]) {
        inside++;
        break;
      }
    }
  }
  return inside / queries;
}

/** The rows scaled to unit length (zero rows stay zero). */
export function unitRows(rows: Float32Array, width: number): Float32Array {
  const out = new Float32Array(rows.length);
  for (let start = 0; start < rows.length; start += width) {
    let sum = 0;
    for (let k = start; k < start + width; k++) sum += rows[k] * rows[k];
    const scale = sum > 0 ? 1 / Math.sqrt(sum) : 0;
    for (let k = start; k < start + width; k++) out[k] = rows[k] * scale;
  }
  return out;
}

export interface PrecisionRecall {
  /** Share of generated samples inside the real data's k-NN manifold: how many look real. */
  precision: number;
  /** Share of real samples inside the generated samples' k-NN manifold: how much of the data is covered. */
  recall: number;
}

/**
 * k-NN precision and recall of `generated` against `real` feature rows (each n × width, n > k). Both sets
 * should be the same size: the manifolds' radii shrink as a set grows.
 */
export function precisionRecall(
  real: Float32Array,
  generated: Float32Array,
  width: number,
  k = MANIFOLD_NEIGHBOURS,
): PrecisionRecall {
  const realCount = real.length / width;
  const generatedCount = generated.length / width;
  if (realCount <= k || generatedCount <= k) return { precision: NaN, recall: NaN };
  return {
    precision: shareInside(generated, generatedCount, real, neighbourRadii(real, realCount, width, k), width),
    recall: shareInside(real, realCount, generated, neighbourRadii(generated, generatedCount, width, k), width),
  };
}
