#!/usr/bin/env node
/**
 * One fuzz case in a process of its own: `node runner.js <kind> <file>`. Prints one result line,
 * RESULT_PREFIX + JSON { outcome, code?, detail? }, then exits 0; a crash or a hang is seen by the parent.
 */
import { TARGETS } from './targets';
import { RESULT_PREFIX, RunnerResult } from './outcome';

function describe(err: unknown): string {
  if (err instanceof Error) return (err.stack ?? `${err.name}: ${err.message}`).split('\n').slice(0, 8).join('\n');
  return `thrown non-Error: ${String(err)}`;
}

/** A HeatbathError with a stable code (ERR_INTERNAL, "a bug: please report it", counts as uncoded). */
function classify(err: unknown): RunnerResult {
  const { name, code, message } = (err ?? {}) as { name?: unknown; code?: unknown; message?: unknown };
  if (name === 'HeatbathError' && typeof code === 'string' && code.startsWith('ERR_') && code !== 'ERR_INTERNAL') {
    return { outcome: 'coded', code, detail: String(message).split('\n')[0] };
  }
  if (err instanceof RangeError && /allocation failed/i.test(err.message))
    return { outcome: 'memory', detail: describe(err) };
  return { outcome: 'uncoded', detail: describe(err) };
}

/** Error messages can echo a hostile file's content at length; the result line stays short. */
const DETAIL_CHARS = 2000;

function report(result: RunnerResult): never {
  if (result.detail !== undefined) result.detail = result.detail.slice(0, DETAIL_CHARS);
  const maxRssMb = Math.round(process.resourceUsage().maxRSS / 1024);
  process.stdout.write(`\n${RESULT_PREFIX}${JSON.stringify({ ...result, maxRssMb })}\n`);
  process.exit(0);
}

async function main(): Promise<void> {
  const [kind, file] = process.argv.slice(2);
  const target = TARGETS[kind];
  if (target === undefined || file === undefined) {
    console.error(`usage: runner.js <${Object.keys(TARGETS).join('|')}> <file>`);
    process.exit(2);
  }
  // Thrown where no caller can catch it: a real program would die, whatever the error.
  process.on('uncaughtException', (err) =>
    report({ outcome: 'crash', detail: `uncaught exception: ${describe(err)}` }),
  );
  process.on('unhandledRejection', (err) =>
    report({ outcome: 'crash', detail: `unhandled rejection: ${describe(err)}` }),
  );
  try {
    await target(file);
  } catch (err) {
    report(classify(err));
  }
  report({ outcome: 'ok' });
}

void main();
