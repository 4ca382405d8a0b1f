/** The shape of benchmark results, shared by the runner and the compare script. */

export interface BenchRecord {
  /** e.g. 'pbit.king256' or 'machine.fma'. */
  name: string;
  value: number;
  unit: string;
  /** value / the machine's multiply-add ceiling measured in the same run (absent for the ceiling). */
  ratio?: number;
  /** Relative margin of error of `value`, in percent (benny / benchmark.js). */
  rme?: number;
  [detail: string]: unknown;
}

export interface BenchFile {
  machine: { cpu: string; cores: number; node: string; simd: string; platform: string };
  date: string;
  records: BenchRecord[];
}
