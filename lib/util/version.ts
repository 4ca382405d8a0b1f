/** heatbath's own version, as recorded in files it writes. */
import * as fs from 'fs';
import * as path from 'path';
import { packageRoot } from './package-root';

let cached: string | undefined;

export function heatbathVersion(): string {
  if (cached === undefined) {
    try {
      cached = String(JSON.parse(fs.readFileSync(path.join(packageRoot, 'package.json'), 'utf8')).version);
    } catch {
      cached = 'unknown';
    }
  }
  return cached;
}
