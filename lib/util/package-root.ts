/** The package root: the nearest directory above this file holding heatbath's package.json. */
import * as fs from 'fs';
import * as path from 'path';

function findPackageRoot(start: string): string {
  for (let dir = start; ; dir = path.dirname(dir)) {
    try {
      if (JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')).name === 'heatbath') return dir;
    } catch {
      // no readable package.json here: keep looking upwards
    }
    if (path.dirname(dir) === dir) return path.resolve(start, '..', '..', '..');
  }
}

export const packageRoot = findPackageRoot(__dirname);
