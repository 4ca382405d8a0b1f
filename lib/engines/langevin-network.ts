/**
 * A network of continuous units for Langevin dynamics. Sign conventions (energies in the units of kT):
 *
 *   U(x) = Σ_i (a_i/2 x_i² + c_i/4 x_i⁴ − h_i x_i) − (s/2) xᵀJx − fs Σ_i f_i x_i
 *
 * a = `quadratic`, c = `quartic`, h = `bias`; J is symmetric, positive entries favour equal signs;
 * the force is −∇U = sJx − a x − c x³ + h + fs f. s (`couplingScale`) and fs (`fieldScale`) are run
 * parameters that may follow protocols; f is a per-chain external field set on the chains.
 * Couplings come as a dense symmetric N×N matrix, as rectangular blocks between disjoint unit ranges
 * (a block W between ranges R and C adds −x_Rᵀ W x_C, e.g. visible–hidden), or as sparse CSR; several
 * may be combined and add up.
 */
import { badFile } from '../io/bytes';
import { f32Tensor, i32Tensor, ModelFile } from '../io/model-file';
import { checkLoadable } from '../native/load-limit';
import { preview } from '../util/preview';
import { checkInteger, invalid, toFloat32 } from '../util/validate';

/** Coupling blocks and sparse matrices a file may list (each is a tensor or three). */
const MAX_FILE_COUPLINGS = 4096;

export interface CouplingBlock {
  /** First unit and count of the row range R. */
  rows: [start: number, count: number];
  /** First unit and count of the column range C: disjoint from R, or equal to it with W symmetric. */
  cols: [start: number, count: number];
  /** W, |R|×|C| row-major. */
  weights: ArrayLike<number>;
}

export type LangevinCouplings =
  | { kind: 'dense'; matrix: ArrayLike<number> }
  | { kind: 'blocks'; blocks: CouplingBlock[] }
  | { kind: 'sparse'; rowPtr: ArrayLike<number>; cols: ArrayLike<number>; values: ArrayLike<number> };

export interface LangevinNetworkSpec {
  /** Number of units N. */
  units: number;
  /** a_i: one number for all units or N values (default 1). */
  quadratic?: number | ArrayLike<number>;
  /** c_i (default 0). */
  quartic?: number | ArrayLike<number>;
  /** h_i (default 0). */
  bias?: number | ArrayLike<number>;
  /** Masses m_i, used by the underdamped integrator (default 1). */
  mass?: number | ArrayLike<number>;
  couplings?: LangevinCouplings | LangevinCouplings[];
}

/** A checked block ready for the engine. */
export interface ResolvedBlock {
  rowStart: number;
  rows: number;
  colStart: number;
  cols: number;
  weights: Float32Array;
}

export interface ResolvedSparse {
  rowPtr: Int32Array;
  cols: Int32Array;
  values: Float32Array;
}

function toInt32(name: string, values: ArrayLike<number>, length?: number): Int32Array {
  if (values == null || typeof values.length !== 'number') throw invalid(`${name} must be an array of integers`);
  if (length !== undefined && values.length !== length)
    throw invalid(`${name} must have ${length} entries, got ${values.length}`);
  const out = new Int32Array(values.length);
  for (let k = 0; k < values.length; k++) out[k] = checkInteger(`${name}[${k}]`, values[k], -(2 ** 31), 2 ** 31 - 1);
  return out;
}

export class LangevinNetwork {
  readonly units: number;
  readonly quadratic: Float32Array;
  readonly quartic: Float32Array;
  readonly bias: Float32Array;
  readonly mass: Float32Array;
  /** @internal The coupling blocks as the engine takes them. */
  readonly blocks: readonly ResolvedBlock[];
  /** @internal The sparse couplings as the engine takes them. */
  readonly sparse: readonly ResolvedSparse[];
  /** Free-form settings kept with the model in its file (e.g. the dt and integrator it is meant to run with). */
  info: Record<string, unknown> = {};

  constructor(spec: LangevinNetworkSpec) {
    if (typeof spec !== 'object' || spec === null) throw invalid('the network spec must be an object');
    const n = (this.units = checkInteger('units', spec.units, 1, 2 ** 31 - 17));
    this.quadratic = toFloat32('quadratic', spec.quadratic ?? 1, n);
    this.quartic = toFloat32('quartic', spec.quartic ?? 0, n);
    this.bias = toFloat32('bias', spec.bias ?? 0, n);
    this.mass = toFloat32('mass', spec.mass ?? 1, n);
    this.mass.forEach((m, i) => {
      if (!(m > 0)) throw invalid(`mass[${i}] must be > 0, got ${m}`);
    });
    const blocks: ResolvedBlock[] = [];
    const sparse: ResolvedSparse[] = [];
    const list = spec.couplings === undefined ? [] : Array.isArray(spec.couplings) ? spec.couplings : [spec.couplings];
    for (const c of list) {
      if (typeof c !== 'object' || c === null) throw invalid('each couplings entry must be an object');
      if (c.kind === 'dense') {
        blocks.push(this.block({ rows: [0, n], cols: [0, n], weights: c.matrix }, 'couplings.matrix'));
      } else if (c.kind === 'blocks') {
        if (!Array.isArray(c.blocks)) throw invalid('couplings.blocks must be an array');
        c.blocks.forEach((b, k) => blocks.push(this.block(b, `couplings.blocks[${k}]`)));
      } else if (c.kind === 'sparse') {
        const rowPtr = toInt32('couplings.rowPtr', c.rowPtr, n + 1);
        const cols = toInt32('couplings.cols', c.cols);
        sparse.push({ rowPtr, cols, values: toFloat32('couplings.values', c.values, cols.length) });
      } else {
        throw invalid("couplings.kind must be 'dense', 'blocks' or 'sparse'");
      }
    }
    this.blocks = blocks;
    this.sparse = sparse;
  }

  /**
   * The network as a file: the on-site tensors, each coupling block as `block.<k>` (rows × cols, ranges in the
   * hyper-parameters) and each sparse matrix as `sparse.<k>.row_ptr`, `.cols`, `.values`.
   */
  toModelFile(): ModelFile {
    const n = this.units;
    const tensors: ModelFile['tensors'] = {
      quadratic: { dtype: 'F32', shape: [n], data: this.quadratic },
      quartic: { dtype: 'F32', shape: [n], data: this.quartic },
      bias: { dtype: 'F32', shape: [n], data: this.bias },
      mass: { dtype: 'F32', shape: [n], data: this.mass },
    };
    this.blocks.forEach((b, k) => (tensors[`block.${k}`] = { dtype: 'F32', shape: [b.rows, b.cols], data: b.weights }));
    this.sparse.forEach((m, k) => {
      tensors[`sparse.${k}.row_ptr`] = { dtype: 'I32', shape: [n + 1], data: m.rowPtr };
      tensors[`sparse.${k}.cols`] = { dtype: 'I32', shape: [m.cols.length], data: m.cols };
      tensors[`sparse.${k}.values`] = { dtype: 'F32', shape: [m.values.length], data: m.values };
    });
    const blocks = this.blocks.map((b) => ({ rows: [b.rowStart, b.rows], cols: [b.colStart, b.cols] }));
    return {
      kind: 'langevin',
      version: 1,
      tensors,
      hyper: { ...this.info, units: n, blocks, sparse: this.sparse.length },
    };
  }

  /** The inverse of `toModelFile`; the network's own checks (ranges, symmetry, masses) run again. */
  static fromModelFile(file: ModelFile): LangevinNetwork {
    const { units, blocks, sparse, ...info } = file.hyper;
    if (!Number.isSafeInteger(units) || (units as number) < 1)
      throw badFile(`the langevin file's hyper-parameter units must be a positive integer, got ${preview(units)}`);
    if (!Array.isArray(blocks) || blocks.length > MAX_FILE_COUPLINGS)
      throw badFile(
        `the langevin file's hyper-parameter blocks must be a list of at most ${MAX_FILE_COUPLINGS} ranges`,
      );
    if (!Number.isSafeInteger(sparse) || (sparse as number) < 0 || (sparse as number) > MAX_FILE_COUPLINGS) {
      throw badFile(
        `the langevin file's hyper-parameter sparse must be a count of sparse matrices, got ${preview(sparse)}`,
      );
    }
    const n = units as number;
    const couplings: LangevinCouplings[] = [];
    const list: CouplingBlock[] = blocks.map((b: unknown, k: number) => {
      const { rows, cols } = (b ?? {}) as { rows?: unknown; cols?: unknown };
      if (!Array.isArray(rows) || !Array.isArray(cols) || rows.length !== 2 || cols.length !== 2) {
        throw badFile(`blocks[${k}] must be { rows: [start, count], cols: [start, count] }`);
      }
      const shape = [rows[1], cols[1]];
      if (!shape.every((d) => Number.isSafeInteger(d) && d > 0 && d <= n))
        throw badFile(`blocks[${k}] has counts ${preview(shape)}; expected 1…${n}`);
      return {
        rows: rows as [number, number],
        cols: cols as [number, number],
        weights: f32Tensor(file, `block.${k}`, shape),
      };
    });
    checkLoadable(
      `a langevin network of ${n} units`,
      16 * n + list.reduce((bytes, b) => bytes + 4 * b.weights.length, 0),
    );
    if (list.length > 0) couplings.push({ kind: 'blocks', blocks: list });
    for (let k = 0; k < (sparse as number); k++) {
      const rowPtr = i32Tensor(file, `sparse.${k}.row_ptr`, [n + 1]);
      const cols = file.tensors[`sparse.${k}.cols`];
      const nnz = cols?.shape.length === 1 ? cols.shape[0] : -1;
      const colData = i32Tensor(file, `sparse.${k}.cols`, [nnz]);
      checkCsr(`sparse.${k}`, rowPtr, colData, n);
      couplings.push({ kind: 'sparse', rowPtr, cols: colData, values: f32Tensor(file, `sparse.${k}.values`, [nnz]) });
    }
    const network = new LangevinNetwork({
      units: n,
      quadratic: f32Tensor(file, 'quadratic', [n]),
      quartic: f32Tensor(file, 'quartic', [n]),
      bias: f32Tensor(file, 'bias', [n]),
      mass: f32Tensor(file, 'mass', [n]),
      couplings,
    });
    network.info = info;
    return network;
  }

  private block(b: CouplingBlock, name: string): ResolvedBlock {
    if (typeof b !== 'object' || b === null || !Array.isArray(b.rows) || !Array.isArray(b.cols)) {
      throw invalid(`${name} must have rows: [start, count] and cols: [start, count]`);
    }
    const n = this.units;
    const rowStart = checkInteger(`${name}.rows[0]`, b.rows[0], 0, n - 1);
    const rows = checkInteger(`${name}.rows[1]`, b.rows[1], 1, n - rowStart);
    const colStart = checkInteger(`${name}.cols[0]`, b.cols[0], 0, n - 1);
    const cols = checkInteger(`${name}.cols[1]`, b.cols[1], 1, n - colStart);
    const same = rowStart === colStart && rows === cols;
    if (!same && rowStart < colStart + cols && colStart < rowStart + rows) {
      throw invalid(`${name}: the row and column ranges must be disjoint or identical`);
    }
    const weights = toFloat32(`${name}.weights`, b.weights, rows * cols);
    if (same) {
      for (let i = 0; i < rows; i++) {
        for (let j = i + 1; j < rows; j++) {
          if (weights[i * rows + j] !== weights[j * rows + i]) {
            throw invalid(`${name} must be symmetric: entries (${i}, ${j}) and (${j}, ${i}) differ`);
          }
        }
      }
    }
    return { rowStart, rows, colStart, cols, weights };
  }
}

/** A stored CSR matrix must index its own arrays: rows start at 0, never go back, end at the entry count; columns are units. */
function checkCsr(name: string, rowPtr: Int32Array, cols: Int32Array, units: number): void {
  if (rowPtr[0] !== 0 || rowPtr[units] !== cols.length)
    throw badFile(`${name}.row_ptr must run from 0 to ${cols.length}`);
  for (let i = 0; i < units; i++) if (rowPtr[i + 1] < rowPtr[i]) throw badFile(`${name}.row_ptr decreases at row ${i}`);
  for (let k = 0; k < cols.length; k++)
    if (cols[k] < 0 || cols[k] >= units)
      throw badFile(`${name}.cols[${k}] = ${cols[k]} is not a unit (0…${units - 1})`);
}
