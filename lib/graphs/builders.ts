/**
 * Graph builders as plain edge lists (no native code): lattices, king's graph, the DTM tori with
 * jump patterns (SCIENCE.md §3), random regular graphs, complete graphs, and user edge lists.
 */
import { HeatbathError } from '../errors';
import { checkFits, checkHeapFits } from '../native/memory';
import { SeededRandom } from '../util/random';
import { checkInteger, invalid } from '../util/validate';

export interface GraphSpec {
  numNodes: number;
  /** Undirected edges, each once with src < dst, sorted by (src, dst). */
  src: Int32Array;
  dst: Int32Array;
  /** A proper colouring the structure gives (node → colour), checked again natively. */
  colours?: Int32Array;
  /** For lattices: node = y * width + x. */
  shape?: { width: number; height: number };
  name: string;
}

const MAX_NODES = 2 ** 31 - 2;

/**
 * Bytes a builder holds per edge: the pairs and the packed edge lists as JS arrays of numbers (on V8's
 * heap: 8 bytes a number, 4 numbers an edge, up to twice that while a growing array is copied) and the
 * sort keys and Int32Arrays beside them; checked before building.
 */
const HEAP_BYTES_PER_EDGE = 64;
const TYPED_BYTES_PER_EDGE = 16;
/** A JS array holds at most 2^27 − 3 numbers (V8 ends the process past it); the pairs take two per edge. */
const MAX_BUILDER_EDGES = 2 ** 26 - 2;

function checkBuildFits(what: string, numNodes: number, numEdges: number, extraHeapPerEdge = 0): void {
  if (numEdges > MAX_BUILDER_EDGES) {
    throw new HeatbathError(
      'ERR_TOO_LARGE',
      `${what} has ${numEdges} edges; graphs are built with at most ${MAX_BUILDER_EDGES}`,
    );
  }
  const heap = numEdges * (HEAP_BYTES_PER_EDGE + extraHeapPerEdge);
  checkFits(heap + numEdges * TYPED_BYTES_PER_EDGE + numNodes * Int32Array.BYTES_PER_ELEMENT, what);
  checkHeapFits(heap, what);
}

function graphError(message: string): HeatbathError {
  return new HeatbathError('ERR_INVALID_GRAPH', message);
}

/** Sorts and packs (a, b) pairs with a < b; duplicates are an error unless `dedupe`. */
function packEdges(numNodes: number, pairs: number[], dedupe: boolean): { src: Int32Array; dst: Int32Array } {
  const m = pairs.length / 2;
  const keys = new Float64Array(m);
  for (let e = 0; e < m; e++) {
    const a = Math.min(pairs[2 * e], pairs[2 * e + 1]);
    const b = Math.max(pairs[2 * e], pairs[2 * e + 1]);
    keys[e] = a * numNodes + b;
  }
  keys.sort();
  const src: number[] = [];
  const dst: number[] = [];
  for (let e = 0; e < m; e++) {
    if (e > 0 && keys[e] === keys[e - 1]) {
      if (dedupe) continue;
      const a = Math.floor(keys[e] / numNodes);
      throw graphError(`duplicate edge (${a}, ${keys[e] - a * numNodes})`);
    }
    const a = Math.floor(keys[e] / numNodes);
    src.push(a);
    dst.push(keys[e] - a * numNodes);
  }
  return { src: Int32Array.from(src), dst: Int32Array.from(dst) };
}

/** Validates and normalises a user edge list. */
export function edgeSpec(
  numNodes: number,
  edges: Array<[number, number]> | { src: ArrayLike<number>; dst: ArrayLike<number> },
): GraphSpec {
  checkInteger('numNodes', numNodes, 1, MAX_NODES);
  let get: (e: number) => [number, number];
  let m: number;
  if (Array.isArray(edges)) {
    m = edges.length;
    get = (e) => {
      const edge = edges[e];
      if (!Array.isArray(edge) || edge.length !== 2) throw invalid(`edge ${e} must be a pair [a, b]`);
      return edge;
    };
  } else if (edges && typeof edges === 'object' && edges.src != null && edges.dst != null) {
    if (edges.src.length !== edges.dst.length) throw invalid('edges.src and edges.dst must have the same length');
    m = edges.src.length;
    get = (e) => [edges.src[e], edges.dst[e]];
  } else {
    throw invalid('edges must be an array of [a, b] pairs or { src, dst } arrays');
  }
  checkBuildFits(`a graph of ${numNodes} nodes and ${m} edges`, numNodes, m);
  const pairs = new Array<number>(2 * m);
  for (let e = 0; e < m; e++) {
    const [a, b] = get(e);
    if (!Number.isInteger(a) || !Number.isInteger(b) || a < 0 || b < 0 || a >= numNodes || b >= numNodes) {
      throw graphError(`edge ${e} (${a}, ${b}) refers to a node outside [0, ${numNodes})`);
    }
    if (a === b) throw graphError(`edge ${e} (${a}, ${b}) is a self-loop`);
    pairs[2 * e] = a;
    pairs[2 * e + 1] = b;
  }
  return { numNodes, ...packEdges(numNodes, pairs, false), name: `graph(${numNodes} nodes, ${m} edges)` };
}

/** Builds a width × height grid graph from neighbour offsets (each undirected offset listed once). */
function grid(
  width: number,
  height: number,
  periodic: boolean,
  offsets: Array<[number, number]>,
  name: string,
  colourOf?: (x: number, y: number) => number,
): GraphSpec {
  checkInteger('width', width, 1, 46340);
  checkInteger('height', height, 1, 46340);
  checkBuildFits(`a ${width}x${height} ${name}`, width * height, width * height * offsets.length);
  const pairs: number[] = [];
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      for (const [dx, dy] of offsets) {
        let nx = x + dx;
        let ny = y + dy;
        if (periodic) {
          nx = ((nx % width) + width) % width;
          ny = ((ny % height) + height) % height;
        } else if (nx < 0 || ny < 0 || nx >= width || ny >= height) continue;
        const i = y * width + x;
        const j = ny * width + nx;
        if (i !== j) pairs.push(i, j); // a wrap onto itself (a side of 1) adds no edge
      }
    }
  }
  const numNodes = width * height;
  const spec: GraphSpec = {
    numNodes,
    ...packEdges(numNodes, pairs, true), // small periodic sides make wraps coincide: keep one edge
    shape: { width, height },
    name: `${name}(${width}x${height}, ${periodic ? 'periodic' : 'open'})`,
  };
  if (colourOf) {
    const colours = new Int32Array(numNodes);
    for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) colours[y * width + x] = colourOf(x, y);
    if (isProper(spec, colours)) spec.colours = colours;
  }
  return spec;
}

function isProper(spec: GraphSpec, colours: Int32Array): boolean {
  for (let e = 0; e < spec.src.length; e++) if (colours[spec.src[e]] === colours[spec.dst[e]]) return false;
  return true;
}

/** Square lattice, 4 neighbours; checkerboard colouring when it is proper (even sides, or open). */
export function lattice2d(width: number, height = width, options: { periodic?: boolean } = {}): GraphSpec {
  return grid(
    width,
    height,
    options.periodic ?? true,
    [
      [1, 0],
      [0, 1],
    ],
    'lattice2d',
    (x, y) => (x + y) % 2,
  );
}

/** King's graph, 8 neighbours; 4 colours (x%2 + 2·(y%2)) when proper. */
export function king(width: number, height = width, options: { periodic?: boolean } = {}): GraphSpec {
  return grid(
    width,
    height,
    options.periodic ?? true,
    [
      [1, 0],
      [0, 1],
      [1, 1],
      [1, -1],
    ],
    'king',
    (x, y) => (x % 2) + 2 * (y % 2),
  );
}

export const JUMP_SETS: Record<'G8' | 'G12' | 'G16' | 'G20' | 'G24', Array<[number, number]>> = {
  G8: [
    [0, 1],
    [4, 1],
  ],
  G12: [
    [0, 1],
    [4, 1],
    [10, 9],
  ],
  G16: [
    [0, 1],
    [4, 1],
    [10, 9],
    [11, 14],
  ],
  G20: [
    [0, 1],
    [4, 1],
    [10, 9],
    [11, 14],
    [23, 6],
  ],
  G24: [
    [0, 1],
    [4, 1],
    [10, 9],
    [11, 14],
    [23, 6],
    [3, 28],
  ],
};

/** L×L torus; each node joins (x+dx, y+dy) for every jump in all 4 rotations (DTM graphs G8…G24). */
export function torus(L: number, options: { jumps: keyof typeof JUMP_SETS | Array<[number, number]> }): GraphSpec {
  checkInteger('L', L, 1, 46340);
  const jumps = typeof options?.jumps === 'string' ? JUMP_SETS[options.jumps] : options?.jumps;
  if (!Array.isArray(jumps) || jumps.length === 0) {
    throw invalid(`jumps must be one of ${Object.keys(JUMP_SETS).join(', ')} or a list of [dx, dy]`);
  }
  const offsets: Array<[number, number]> = [];
  for (const jump of jumps) {
    if (!Array.isArray(jump) || jump.length !== 2 || !jump.every(Number.isInteger))
      throw invalid('each jump must be [dx, dy] integers');
    const [dx, dy] = jump;
    if (((dx % L) + L) % L === 0 && ((dy % L) + L) % L === 0)
      throw invalid(`jump (${dx}, ${dy}) lands on the node itself for L = ${L}`);
    offsets.push([dx, dy], [-dy, dx], [-dx, -dy], [dy, -dx]);
  }
  const label = typeof options.jumps === 'string' ? options.jumps : `${jumps.length} jumps`;
  const spec = grid(L, L, true, offsets, `torus ${label}`, (x, y) => (x + y) % 2);
  return spec;
}

/**
 * Random simple d-regular graph by the Steger–Wormald pairing: repeatedly join two random free
 * stubs unless that makes a loop or a double edge; restart if stuck. Asymptotically uniform, fast for
 * large n, deterministic per seed.
 */
export function randomRegular(n: number, d: number, options: { seed?: number } = {}): GraphSpec {
  checkInteger('n', n, 1, MAX_NODES);
  checkInteger('d', d, 0, n - 1);
  if ((n * d) % 2 !== 0) throw invalid(`n·d must be even for a ${d}-regular graph on ${n} nodes`);
  const rng = new SeededRandom(checkInteger('seed', options.seed ?? 0, 0));
  // Beside the pairs: the Set of edges drawn (about 32 bytes an entry) and the stubs (8 bytes an edge).
  checkBuildFits(`a ${d}-regular graph on ${n} nodes`, n, (n * d) / 2, 40);
  for (let attempt = 0; attempt < 100; attempt++) {
    const stubs = new Int32Array(n * d);
    for (let k = 0; k < stubs.length; k++) stubs[k] = Math.floor(k / d);
    let free = stubs.length;
    const edges = new Set<number>();
    const pairs: number[] = [];
    let misses = 0;
    while (free > 0 && misses < 100 + 10 * free) {
      const i = rng.int(free);
      const j = rng.int(free);
      const a = Math.min(stubs[i], stubs[j]);
      const b = Math.max(stubs[i], stubs[j]);
      if (i === j || a === b || edges.has(a * n + b)) {
        misses++;
        continue;
      }
      edges.add(a * n + b);
      pairs.push(a, b);
      // Remove both stubs by moving the last free ones into their places.
      const [hi, lo] = i > j ? [i, j] : [j, i];
      stubs[hi] = stubs[--free];
      stubs[lo] = stubs[--free];
      misses = 0;
    }
    if (free === 0) return { numNodes: n, ...packEdges(n, pairs, false), name: `randomRegular(${n}, d=${d})` };
  }
  throw invalid(`could not draw a simple ${d}-regular graph on ${n} nodes`);
}

/** Complete graph on n nodes. */
export function complete(n: number): GraphSpec {
  checkInteger('n', n, 1, 5000);
  const pairs: number[] = [];
  for (let a = 0; a < n; a++) for (let b = a + 1; b < n; b++) pairs.push(a, b);
  return { numNodes: n, ...packEdges(n, pairs, false), name: `complete(${n})` };
}
