/**
 * `npm run docs` builds the API reference without warnings: every type the public API mentions is either
 * exported, inlined (`@inline`), or the member is marked `@internal`.
 */
import { execFileSync } from 'child_process';
import * as path from 'path';

const root = path.resolve(__dirname, '..');

test('TypeDoc documents lib/index.ts with no warnings', () => {
  const typedoc = path.join(root, 'node_modules', 'typedoc', 'bin', 'typedoc');
  const run = () =>
    execFileSync(process.execPath, [typedoc, '--emit', 'none', '--treatWarningsAsErrors'], {
      cwd: root,
      encoding: 'utf8',
      stdio: 'pipe',
    });
  expect(run).not.toThrow();
});
