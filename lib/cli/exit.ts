/**
 * How the `heatbath` command ends on an error: one line on stderr, `heatbath: <message> (<CODE>)`, and an
 * exit code: 2 when the command line is wrong (an unknown command or option, a bad value: the
 * ERR_INVALID_ARGUMENT errors), 130 or 143 when SIGINT or SIGTERM stopped the work (ERR_ABORTED), 1 for
 * everything else. An error without a code is a bug: it is printed with its stack so it can be reported.
 */
import { CommanderError } from 'commander';
import { asHeatbathError, HeatbathError } from '../errors';
import { stopExitCode } from './signals';

/** Commander's ends that print help or the version themselves. */
const HELP = new Set(['commander.helpDisplayed', 'commander.help', 'commander.version']);

export const USAGE_EXIT_CODE = 2;

function printLine(err: HeatbathError): void {
  process.stderr.write(`heatbath: ${err.message.replace(/\s*\n\s*/g, ' ')} (${err.code})\n`);
}

/** V8's errors for a typed array or buffer larger than the process can allocate. */
function isAllocationFailure(err: unknown): err is RangeError {
  return (
    err instanceof RangeError &&
    /Invalid typed array length|Array buffer allocation failed|Invalid array length/.test(err.message)
  );
}

/** Prints `err` and returns the exit code. */
export function reportError(err: unknown): number {
  if (err instanceof CommanderError) {
    // Help and the version are printed already: exit 0, or 2 for help shown because a subcommand was missing.
    if (HELP.has(err.code)) return err.exitCode === 0 ? 0 : USAGE_EXIT_CODE;
    printLine(new HeatbathError('ERR_INVALID_ARGUMENT', err.message.replace(/^error: /, '')));
    return USAGE_EXIT_CODE;
  }
  const coded = asHeatbathError(err);
  if (coded instanceof HeatbathError) {
    printLine(coded);
    if (coded.code === 'ERR_ABORTED') return stopExitCode() ?? 1;
    return coded.code === 'ERR_INVALID_ARGUMENT' ? USAGE_EXIT_CODE : 1;
  }
  // A safety net for sizes no check caught: the request, not the program, is at fault.
  if (isAllocationFailure(err)) {
    printLine(
      new HeatbathError('ERR_TOO_LARGE', `the request needs more memory than can be allocated (${err.message})`),
    );
    return 1;
  }
  process.stderr.write('heatbath: internal error (ERR_INTERNAL), please report it with the command that caused it:\n');
  console.error(err);
  return 1;
}
