/**
 * Where a denoising thermodynamic model's nodes sit (SCIENCE.md §3): an L×L torus with a jump set (G8…G24),
 * output nodes (pixels, then label nodes) at random positions of one colour, latent nodes elsewhere, and one
 * input node per output node, appended after the torus and joined only to its output node. The input nodes
 * hold x^t (clamped); their edges carry the fixed coupling of the forward channel.
 */
import { GraphSpec, JUMP_SETS, torus } from '../graphs/builders';
import { Graph } from '../graphs/graph';
import { SeededRandom } from '../util/random';
import { checkInteger, invalid } from '../util/validate';

/** A named jump set of the DTM torus (SCIENCE.md §3). @useDeclaredType */
export type JumpSet = keyof typeof JUMP_SETS;

export interface DtmLayoutOptions {
  /** Side L of the torus (default 70). */
  size?: number;
  /** Jump set of the torus (default 'G12'). */
  jumps?: JumpSet;
  /** Pixels per image (784 for 28×28 digits). */
  pixels: number;
  /** Classes of the one-hot label (0: unconditional). */
  classes?: number;
  /** Label nodes per class: each class's bit is repeated this often (default 10). */
  labelCopies?: number;
  /** Seed of the output positions (default 0). */
  seed?: number;
}

export class DtmLayout {
  readonly size: number;
  readonly jumps: JumpSet;
  readonly pixels: number;
  readonly classes: number;
  readonly labelCopies: number;
  readonly seed: number;
  /** The torus and the input nodes, one graph shared by every step. */
  readonly graph: Graph;
  /** Torus node of each output (pixels first, then label bits class-major). */
  readonly outputs: Int32Array;
  /** Input node of each output (torus nodes are 0…L²−1, inputs follow). */
  readonly inputs: Int32Array;
  /** Edge index of each output's input edge in the graph's edge order. */
  readonly inputEdges: Int32Array;
  /** Torus nodes that are neither outputs nor inputs. */
  readonly latents: Int32Array;

  constructor(options: DtmLayoutOptions) {
    this.size = checkInteger('size', options.size ?? 70, 2, 1000);
    this.jumps = options.jumps ?? 'G12';
    if (!Object.hasOwn(JUMP_SETS, this.jumps))
      throw invalid(`jumps must be one of ${Object.keys(JUMP_SETS).join(', ')}, got ${String(this.jumps)}`);
    this.pixels = checkInteger('pixels', options.pixels, 1);
    this.classes = checkInteger('classes', options.classes ?? 0, 0, 1000);
    this.labelCopies = checkInteger('labelCopies', options.labelCopies ?? 10, 1, 1000);
    this.seed = checkInteger('seed', options.seed ?? 0, 0);
    const L = this.size;
    const outputs = this.pixels + this.classes * this.labelCopies;
    // Outputs take one colour of the chessboard; leave at least as many latents as outputs of that colour.
    if (2 * outputs > Math.floor((L * L) / 2)) {
      throw invalid(
        `a ${L}×${L} torus has ${Math.floor((L * L) / 2)} nodes of one colour, too few for ${outputs} outputs and as many latents; use size >= ${Math.ceil(2 * Math.sqrt(outputs))}`,
      );
    }
    if (L % 2 !== 0) throw invalid(`size must be even so the torus stays two-coloured, got ${L}`);

    const base = torus(L, { jumps: this.jumps });
    const white: number[] = [];
    for (let i = 0; i < L * L; i++) if (((i % L) + Math.floor(i / L)) % 2 === 0) white.push(i);
    new SeededRandom(this.seed).shuffle(white);
    this.outputs = Int32Array.from(white.slice(0, outputs));
    this.inputs = Int32Array.from({ length: outputs }, (_, k) => L * L + k);
    const isOutput = new Uint8Array(L * L);
    for (const i of this.outputs) isOutput[i] = 1;
    this.latents = Int32Array.from({ length: L * L }, (_, i) => i).filter((i) => !isOutput[i]);

    const spec = withInputs(base, this.outputs);
    this.graph = new Graph(spec);
    this.inputEdges = new Int32Array(outputs);
    for (let e = 0; e < spec.src.length; e++) if (spec.dst[e] >= L * L) this.inputEdges[spec.dst[e] - L * L] = e;
  }

  get numOutputs(): number {
    return this.outputs.length;
  }

  /** Nodes of the graph: the torus and the inputs. */
  get numNodes(): number {
    return this.graph.numNodes;
  }

  /** The layout's settings, as saved in model files. */
  describe(): { size: number; jumps: JumpSet; pixels: number; classes: number; labelCopies: number; seed: number } {
    const { size, jumps, pixels, classes, labelCopies, seed } = this;
    return { size, jumps, pixels, classes, labelCopies, seed };
  }
}

/** The torus plus one input node per output, each joined to its output; the colouring stays proper. */
function withInputs(base: GraphSpec, outputs: Int32Array): GraphSpec {
  const n = base.numNodes;
  const src = new Int32Array(base.src.length + outputs.length);
  const dst = new Int32Array(src.length);
  src.set(base.src);
  dst.set(base.dst);
  const colours = new Int32Array(n + outputs.length);
  colours.set(base.colours as Int32Array);
  outputs.forEach((node, k) => {
    src[base.src.length + k] = node;
    dst[base.src.length + k] = n + k;
    colours[n + k] = 1 - colours[node];
  });
  return { numNodes: n + outputs.length, src, dst, colours, name: `dtm ${base.name} + ${outputs.length} inputs` };
}
