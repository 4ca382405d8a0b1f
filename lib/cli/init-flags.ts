/**
 * `--init` continues from a saved model, whose size and physics come from the file. A flag that would set
 * them to something else is refused rather than silently ignored; a flag left out, or given the file's
 * own value, is fine. (Such flags have no commander default, so that "left out" can be told apart.)
 */
import { invalid } from '../util/validate';

export interface FixedByInit {
  flag: string;
  /** The value on the command line, undefined when the flag was left out. */
  given: unknown;
  /** The model's own value. */
  inFile: unknown;
}

export function refuseInitConflicts(initFile: string, fixed: FixedByInit[]): void {
  for (const { flag, given, inFile } of fixed) {
    if (given !== undefined && given !== inFile) {
      throw invalid(
        `${flag} ${String(given)} conflicts with --init ${initFile}, whose model has ${String(inFile)}: leave ${flag} out (it comes from the file)`,
      );
    }
  }
}
