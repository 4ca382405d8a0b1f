/**
 * The Linux prebuild on an older system than the build machine (npm run test:slow, as root on Linux
 * with debootstrap): a minimal Debian 11 root file system (glibc 2.31, libstdc++ of GCC 10) made with
 * debootstrap from Debian's packages and kept in ~/.cache/heatbath/, the tarball installed offline into
 * it, and this Node binary sampling there under chroot, on several threads and through coded errors.
 * The objdump check in test/package.test.ts covers the floor itself (2.28); this shows the pinned
 * symbols and the linked-in libstdc++ really work where the build machine's versions are missing.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { cleanEnv, ensurePrebuild, installOffline, pack, run } from '../helpers/package';

const SUITE = 'bullseye';
const systemRoot = path.join(os.homedir(), '.cache', 'heatbath', `debian-${SUITE}`);

function oldSystem(): string {
  if (!fs.existsSync(path.join(systemRoot, 'usr', 'bin', 'apt'))) {
    fs.rmSync(systemRoot, { recursive: true, force: true });
    fs.mkdirSync(path.dirname(systemRoot), { recursive: true });
    run('debootstrap', ['--variant=minbase', SUITE, systemRoot], os.tmpdir(), { timeout: 1800000 });
  }
  return systemRoot;
}

let cleanUp = () => {};
beforeAll(() => {
  cleanUp = ensurePrebuild();
}, 900000);
afterAll(() => cleanUp());

test('the tarball installed into Debian 11 loads its prebuild and samples with glibc 2.31', () => {
  expect(process.platform).toBe('linux');
  expect(process.getuid?.()).toBe(0); // chroot needs root
  const system = oldSystem();
  const appInside = '/opt/heatbath-app';
  const app = path.join(system, appInside);
  fs.rmSync(app, { recursive: true, force: true });
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'heatbath-old-glibc-'));
  try {
    installOffline(app, pack(work), cleanEnv());
    fs.copyFileSync(process.execPath, path.join(system, 'usr', 'local', 'bin', 'node'));
    fs.chmodSync(path.join(system, 'usr', 'local', 'bin', 'node'), 0o755);
    const script = `
      const h = require('heatbath');
      const model = new h.IsingModel(h.graphs.lattice2d(16), { couplings: 1, beta: 0.3 });
      const run = model.sampleSync({ chains: 64, warmup: 50, samples: 4, seed: 1, threads: 2 });
      const codeOf = (f) => { try { f(); return 'none'; } catch (e) { return e.code; } };
      console.log(JSON.stringify({
        glibc: process.report.getReport().header.glibcVersionRuntime,
        binary: h.engineInfo().binary,
        sweeps: run.sweeps,
        badArgument: codeOf(() => model.sampleSync({ chains: 0, samples: 1 })),
        badSimd: codeOf(() => h.setSimd('no-such-isa')),
        digits: h.bundledDigits().count,
      }));`;
    const out = JSON.parse(
      run('chroot', [system, '/usr/local/bin/node', '-e', script], os.tmpdir(), {
        env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', NODE_PATH: `${appInside}/node_modules` },
      }),
    );
    expect(out).toEqual({
      glibc: '2.31',
      binary: `${appInside}/node_modules/heatbath/prebuilds/linux-x64/heatbath.glibc.node`,
      sweeps: 53,
      badArgument: 'ERR_INVALID_ARGUMENT',
      badSimd: 'ERR_INVALID_ARGUMENT',
      digits: 10000,
    });
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
    fs.rmSync(app, { recursive: true, force: true });
  }
});
