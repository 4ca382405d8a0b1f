/**
 * The README's examples are run as written (against the compiled package, which `npm install`
 * builds); each `console.log(...) // expected` comment must match what the example prints.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

const root = path.resolve(__dirname, '..');
const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
const examples = [...readme.matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1]);

test('the README has examples', () => {
  expect(examples.length).toBeGreaterThanOrEqual(5);
});

test.each(examples.map((code, k) => [k, code]))('README example %i runs and prints what it says', (_k, code) => {
  const expected = [...(code as string).matchAll(/console\.log\(.*\);\s*\/\/ (.*)$/gm)].map((m) => m[1].trim());
  const stdout = execFileSync(process.execPath, ['-e', code as string], { cwd: root, encoding: 'utf8', timeout: 60000 });
  const printed = stdout.trim().split('\n').filter(Boolean);
  expect(printed.sort()).toEqual(expected.sort());
});
