/** HEATBATH_ADDON picks the binary to load (a sanitizer build, say), and a bad one is an error, not a fall-back. */
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { nativeFile } from '../lib/native';

const root = path.resolve(__dirname, '..');
const script = "const h = require('./dist/lib/index.js'); console.log(h.engineInfo().binary)";

test('HEATBATH_ADDON names the binary that is loaded', () => {
  const usual = nativeFile();
  const copy = path.join(root, 'build', 'heatbath-addon-env-test.node');
  fs.copyFileSync(usual, copy);
  try {
    const out = execFileSync(process.execPath, ['-e', script], {
      cwd: root,
      env: { ...process.env, HEATBATH_ADDON: copy },
      encoding: 'utf8',
    });
    expect(out.trim()).toBe(copy);
  } finally {
    fs.rmSync(copy, { force: true });
  }
});

test('a HEATBATH_ADDON that cannot be loaded is ERR_NATIVE_MISSING naming it', () => {
  const missing = path.join(root, 'build', 'no-such-addon.node');
  const run = spawnSync(process.execPath, ['-e', `try { ${script} } catch (e) { console.log(e.code, e.message) }`], {
    cwd: root,
    env: { ...process.env, HEATBATH_ADDON: missing },
    encoding: 'utf8',
  });
  expect(run.stdout).toContain('ERR_NATIVE_MISSING');
  expect(run.stdout).toContain(`HEATBATH_ADDON=${missing}`);
});
