/**
 * The published package: `npm pack`, install the tarball elsewhere with --ignore-scripts (so nothing
 * is compiled), and check that it loads its prebuilt binary and samples.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const root = path.resolve(__dirname, '..');
const prebuildDir = path.join(root, 'prebuilds', `${process.platform}-${process.arch}`);
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

function run(cmd: string, args: string[], cwd: string): string {
  return execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 600000 });
}

test('the packed tarball installs without building and loads its prebuild', () => {
  const hasPrebuild = () => fs.existsSync(prebuildDir) && fs.readdirSync(prebuildDir).some((f) => f.endsWith('.node'));
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'heatbath-pack-'));
  // A prebuild made only for this test is removed afterwards: the checkout keeps loading its own build.
  const madeHere = !hasPrebuild();
  try {
    if (madeHere) {
      // prebuildify rebuilds in place and empties build/Release, so it runs on a copy of the sources.
      const sources = path.join(work, 'sources');
      for (const entry of ['binding.gyp', 'package.json', 'native']) {
        fs.cpSync(path.join(root, entry), path.join(sources, entry), { recursive: true });
      }
      fs.symlinkSync(path.join(root, 'node_modules'), path.join(sources, 'node_modules'), 'dir');
      run(npm, ['exec', '--', 'prebuildify', '--napi', '--strip', '--cwd', sources, '--out', sources], root);
      fs.cpSync(path.join(sources, 'prebuilds'), path.join(root, 'prebuilds'), { recursive: true });
    }
    expect(hasPrebuild()).toBe(true);

    const packed = JSON.parse(run(npm, ['pack', '--json', '--ignore-scripts', '--pack-destination', work], root));
    const tarball = path.join(work, packed[0].filename);
    const files: string[] = packed[0].files.map((f: { path: string }) => f.path);
    expect(files.some((f) => f.startsWith('prebuilds/') && f.endsWith('.node'))).toBe(true);
    expect(files).toContain('dist/lib/index.js');
    expect(files.some((f) => f.startsWith('build/'))).toBe(false);

    const app = path.join(work, 'app');
    fs.mkdirSync(app);
    fs.writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0', private: true }));
    // Dependencies come from the npm cache where it has them, else the registry; nothing is compiled.
    run(npm, ['install', '--ignore-scripts', '--prefer-offline', '--no-audit', '--no-fund', tarball], app);
    expect(fs.existsSync(path.join(app, 'node_modules', 'heatbath', 'build'))).toBe(false);

    const script = `
      const h = require('heatbath');
      const model = new h.IsingModel(h.graphs.lattice2d(8), { couplings: 1, beta: 0.3 });
      const run = model.sampleSync({ chains: 8, warmup: 10, samples: 2, seed: 1 });
      console.log(JSON.stringify({ binary: h.engineInfo().binary, sweeps: run.sweeps }));`;
    const out = JSON.parse(run(process.execPath, ['-e', script], app));
    expect(out.binary).toContain(path.join('node_modules', 'heatbath', 'prebuilds'));
    expect(out.sweeps).toBe(11);
  } finally {
    if (madeHere) fs.rmSync(prebuildDir, { recursive: true, force: true });
    fs.rmSync(work, { recursive: true, force: true });
  }
});
