/** Small dense float64 linear algebra: matrices are row-major Float64Arrays with their order n. */
export * from './matrix';
export { MatrixInput, SquareMatrix, toSquareMatrix, toVector } from './input';
export {
  cholesky,
  choleskySolve,
  choleskyInverse,
  solveLower,
  solveLowerTransposed,
  pivotedCholesky,
  PivotedCholesky,
} from './cholesky';
export { LU, luFactor, luSolve, solve } from './lu';
export { expm } from './expm';
export { OUIntegrals, ouIntegrals } from './van-loan';
export { solveLyapunov } from './lyapunov';
export { EigenRange, symmetricEigenRange } from './eigen-range';
