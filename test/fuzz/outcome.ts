/**
 * A case's outcome, decided from how its process ended:
 *   ok       finished
 *   coded    refused with a HeatbathError code (the CLI: a non-zero exit with a one-line coded message)
 *   crash    died by a signal, exited without a result, threw where nothing could catch it, or a
 *            sanitizer reported a memory error or undefined behaviour
 *   uncoded  an error without a code (TypeError, RangeError, ERR_INTERNAL, a stack trace from the CLI)
 *   hang     still running at the time limit
 *   memory   over the memory cap (resident set or V8 heap), or an allocation failure
 */
export type Outcome = 'ok' | 'coded' | 'crash' | 'uncoded' | 'hang' | 'memory';
export const OUTCOMES: Outcome[] = ['ok', 'coded', 'crash', 'uncoded', 'hang', 'memory'];
/** Outcomes that fail the run. */
export const FAILURES: ReadonlySet<Outcome> = new Set(['crash', 'uncoded', 'hang', 'memory']);

export const RESULT_PREFIX = '@@heatbath-fuzz-result ';

export interface RunnerResult {
  outcome: Outcome;
  code?: string;
  detail?: string;
  /** The runner's own peak resident set (exact, where polling can miss a short peak). */
  maxRssMb?: number;
}

export interface ProcessEnd {
  stdout: string;
  stderr: string;
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  /** Set when the parent stopped the process. */
  killedFor?: 'timeout' | 'memory';
  peakRssMb: number;
}

/** A report of AddressSanitizer or UBSan, when the addon is a sanitizer build (they exit with status 1). */
const SANITIZER_REPORT = /^==\d+==ERROR: \w+Sanitizer|^\S+:\d+:\d+: runtime error: /m;
const HEAP_EXHAUSTED = /JavaScript heap out of memory|Reached heap limit|Allocation failed - /;
const STACK_FRAME = /^\s+at .+/m;
/** The CLI's own coded message, or commander's one-line usage error. */
const CODED_LINE = /^heatbath: .*\((ERR_[A-Z_]+)\)$/m;
const USAGE_LINE = /^error: .+$/m;

function tail(text: string, lines: number): string {
  return text.trim().split('\n').slice(-lines).join('\n');
}

/** Stderr from the first line that names an error (progress lines come before it), else its end. */
function fromError(stderr: string): string {
  const lines = stderr.trim().split('\n');
  const first = lines.findIndex((line) => /Error\b|\bERR_[A-Z_]+|^error: /.test(line));
  return first < 0 ? tail(stderr, 12) : lines.slice(first, first + 12).join('\n');
}

/** The result line a runner printed, if any. */
function runnerResult(stdout: string): RunnerResult | undefined {
  const at = stdout.lastIndexOf(RESULT_PREFIX);
  if (at < 0) return undefined;
  try {
    return JSON.parse(stdout.slice(at + RESULT_PREFIX.length).split('\n')[0]) as RunnerResult;
  } catch {
    return undefined;
  }
}

function ended(end: ProcessEnd): RunnerResult | undefined {
  if (end.killedFor === 'timeout')
    return { outcome: 'hang', detail: `no result within the time limit; stderr: ${tail(end.stderr, 3)}` };
  if (end.killedFor === 'memory') return { outcome: 'memory', detail: `resident set reached ${end.peakRssMb} MB` };
  if (HEAP_EXHAUSTED.test(end.stderr)) return { outcome: 'memory', detail: tail(end.stderr, 4) };
  const report = SANITIZER_REPORT.exec(end.stderr);
  if (report) return { outcome: 'crash', detail: end.stderr.slice(report.index).split('\n').slice(0, 12).join('\n') };
  return undefined;
}

/** A runner case: the runner's own report, unless the process did not get to make one. */
export function runnerOutcome(end: ProcessEnd): RunnerResult {
  const stopped = ended(end);
  if (stopped) return stopped;
  const result = runnerResult(end.stdout);
  if (result) return result;
  const how = end.signal !== null ? `signal ${end.signal}` : `exit code ${end.exitCode}`;
  return { outcome: 'crash', detail: `${how} without a result; stderr: ${tail(end.stderr, 12)}` };
}

/** A CLI case: exit status and stderr. */
export function cliOutcome(end: ProcessEnd): RunnerResult {
  const stopped = ended(end);
  if (stopped) return stopped;
  if (end.signal !== null) return { outcome: 'crash', detail: `signal ${end.signal}; stderr: ${tail(end.stderr, 12)}` };
  if (end.exitCode === 0) return { outcome: 'ok' };
  if (STACK_FRAME.test(end.stderr)) return { outcome: 'uncoded', detail: fromError(end.stderr) };
  const coded = CODED_LINE.exec(end.stderr);
  if (coded && coded[1] !== 'ERR_INTERNAL') return { outcome: 'coded', code: coded[1], detail: coded[0] };
  const usage = USAGE_LINE.exec(end.stderr);
  if (usage) return { outcome: 'coded', code: 'usage', detail: usage[0] };
  return { outcome: 'uncoded', detail: `exit code ${end.exitCode}; stderr: ${tail(end.stderr, 12)}` };
}
