/**
 * A validated sparse graph with its colouring (the blocks of block Gibbs sampling).
 * Construction checks the edges and the blocks natively; the handle is shared by every model on it.
 */
import { callNative } from '../errors';
import { native, NativeGraph } from '../native';
import { invalid } from '../util/validate';
import { GraphSpec } from './builders';

/**
 * How nodes are split into blocks that update together:
 * - 'auto' (default): the builder's natural colouring when it has one (e.g. checkerboard), else DSATUR;
 * - 'dsatur' / 'greedy': computed colourings (DSATUR is optimal on bipartite graphs);
 * - an array giving each node's block: checked, and rejected if a block holds two neighbours.
 */
export type Blocks = 'auto' | 'dsatur' | 'greedy' | ArrayLike<number>;

export interface GraphOptions {
  blocks?: Blocks;
}

export class Graph {
  readonly numNodes: number;
  /** Undirected edges, src[e] < dst[e]; per-edge parameters (couplings) follow this order. */
  readonly src: Int32Array;
  readonly dst: Int32Array;
  readonly shape?: { width: number; height: number };
  readonly name: string;
  /** @internal */
  readonly handle: NativeGraph;
  private blocksCache?: Int32Array;

  /** @internal Graphs are made by the builders of `graphs`. */
  constructor(spec: GraphSpec, options: GraphOptions = {}) {
    this.numNodes = spec.numNodes;
    this.src = spec.src;
    this.dst = spec.dst;
    this.shape = spec.shape;
    this.name = spec.name;
    const blocks = options.blocks ?? 'auto';
    let colouring: string | Int32Array;
    if (blocks === 'auto') colouring = spec.colours ?? 'dsatur';
    else if (blocks === 'dsatur' || blocks === 'greedy') colouring = blocks;
    else if (typeof blocks === 'object' && blocks !== null && typeof blocks.length === 'number') {
      if (blocks.length !== spec.numNodes) {
        throw invalid(`blocks must give a block for each of the ${spec.numNodes} nodes, got ${blocks.length}`);
      }
      colouring = Int32Array.from(blocks, (b) => {
        if (!Number.isInteger(b)) throw invalid(`block indices must be integers, got ${b}`);
        return b;
      });
    } else throw invalid(`blocks must be 'auto', 'dsatur', 'greedy' or an array, got ${String(blocks)}`);
    this.handle = callNative(() => new (native().Graph)(spec.numNodes, spec.src, spec.dst, colouring));
  }

  get numEdges(): number {
    return this.src.length;
  }

  /** Number of blocks (colours): one sweep updates each block once, in order. */
  get numBlocks(): number {
    return this.handle.numColours;
  }

  /** Block (colour) of each node. */
  blocks(): Int32Array {
    this.blocksCache ??= this.handle.colours();
    return this.blocksCache;
  }

  /** Degree of each node. */
  degrees(): Int32Array {
    const degree = new Int32Array(this.numNodes);
    for (let e = 0; e < this.src.length; e++) {
      degree[this.src[e]]++;
      degree[this.dst[e]]++;
    }
    return degree;
  }
}
