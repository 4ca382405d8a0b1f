/** Graph builders: each returns a validated, coloured Graph. */
import * as build from './builders';
import { Graph, GraphOptions } from './graph';

export { Graph, GraphOptions, Blocks } from './graph';

/** Square lattice with 4 neighbours (periodic by default); natural checkerboard blocks when possible. */
export function lattice2d(width: number, height = width, options: { periodic?: boolean } & GraphOptions = {}): Graph {
  return new Graph(build.lattice2d(width, height, options), options);
}

/** King's graph: 8 neighbours (periodic by default); 4 natural blocks. */
export function king(width: number, height = width, options: { periodic?: boolean } & GraphOptions = {}): Graph {
  return new Graph(build.king(width, height, options), options);
}

/** L×L torus with a DTM jump pattern (G8…G24, SCIENCE.md §3) or custom jumps; 2 blocks (chessboard). */
export function torus(
  L: number,
  options: { jumps: 'G8' | 'G12' | 'G16' | 'G20' | 'G24' | Array<[number, number]> } & GraphOptions,
): Graph {
  return new Graph(build.torus(L, options), options);
}

/** Uniformly random simple d-regular graph, reproducible per seed; blocks by DSATUR. */
export function randomRegular(n: number, d: number, options: { seed?: number } & GraphOptions = {}): Graph {
  return new Graph(build.randomRegular(n, d, { seed: options.seed ?? 0 }), options);
}

/** All pairs of n nodes. */
export function complete(n: number, options: GraphOptions = {}): Graph {
  return new Graph(build.complete(n), options);
}

/** Any graph from an edge list: validated (range, self-loops, duplicates); blocks by DSATUR unless given. */
export function fromEdges(
  numNodes: number,
  edges: Array<[number, number]> | { src: ArrayLike<number>; dst: ArrayLike<number> },
  options: GraphOptions = {},
): Graph {
  return new Graph(build.edgeSpec(numNodes, edges as Array<[number, number]>), options);
}
