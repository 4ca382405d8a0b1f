/**
 * Packing and installing the package as a user would, for the package tests: the prebuilt binary
 * (built here when the checkout has none), `npm pack`, and an offline install of the tarball.
 */
import { execFileSync, ExecFileSyncOptions } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

export const root = path.resolve(__dirname, '..', '..');
export const prebuildDir = path.join(root, 'prebuilds', `${process.platform}-${process.arch}`);
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

export function run(cmd: string, args: string[], cwd: string, options: ExecFileSyncOptions = {}): string {
  return execFileSync(cmd, args, {
    cwd,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 600000,
    ...options,
  }) as string;
}

export const prebuilds = () =>
  fs.existsSync(prebuildDir) ? fs.readdirSync(prebuildDir).filter((f) => f.endsWith('.node')) : [];

/**
 * Makes sure prebuilds/ holds this platform's binary. CI builds it (`npm run prebuild`) before the tests;
 * elsewhere it is built here, on a copy of the sources because prebuildify rebuilds in place. Returns a
 * clean-up that removes a binary made here, so the checkout keeps loading its own build.
 */
export function ensurePrebuild(): () => void {
  if (prebuilds().length > 0) return () => {};
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
  return () => fs.rmSync(prebuildDir, { recursive: true, force: true });
}

export interface Packed {
  tarball: string;
  filename: string;
  integrity: string;
  files: string[];
}

export function pack(destination: string): Packed {
  const packed = JSON.parse(
    run(npm, ['pack', '--json', '--ignore-scripts', '--pack-destination', destination], root),
  )[0];
  return {
    tarball: path.join(destination, packed.filename),
    filename: packed.filename,
    integrity: packed.integrity,
    files: packed.files.map((f: { path: string }) => f.path),
  };
}

/**
 * The registry address of a lockfile entry's tarball. npm leaves `resolved` out of lockfiles when it is the
 * default registry's; written out, `npm ci --offline` finds the tarball in the cache by its integrity and
 * needs no package metadata (which the cache may not hold).
 */
function registryTarball(at: string, version: string): string {
  const name = at.slice(at.lastIndexOf('node_modules/') + 'node_modules/'.length);
  return `https://registry.npmjs.org/${name}/-/${name.slice(name.lastIndexOf('/') + 1)}-${version}.tgz`;
}

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
    packages[at] = { resolved: registryTarball(at, entry.version), ...entry };
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
export function noCompilerPath(work: string): string {
  const bin = path.join(work, 'bin');
  fs.mkdirSync(bin);
  const npmBin = path.dirname(fs.realpathSync(execFileSync('which', ['npm'], { encoding: 'utf8' }).trim()));
  fs.symlinkSync(process.execPath, path.join(bin, 'node'));
  fs.symlinkSync(path.join(npmBin, 'npm-cli.js'), path.join(bin, 'npm'));
  fs.symlinkSync(path.join(npmBin, 'npx-cli.js'), path.join(bin, 'npx'));
  fs.symlinkSync('/bin/sh', path.join(bin, 'sh'));
  const found = ['cc', 'gcc', 'c++', 'g++', 'clang', 'make', 'python', 'python3', 'node-gyp'].filter((tool) =>
    fs.existsSync(path.join(bin, tool)),
  );
  if (found.length > 0) throw new Error(`${bin} holds ${found.join(', ')}`);
  return bin;
}

/**
 * Installs the tarball into the empty folder `app` with `npm ci --offline --ignore-scripts`: nothing is
 * downloaded and no install script (so no compiler) runs. `env` is the environment npm runs in.
 */
export function installOffline(app: string, packed: Packed, env: NodeJS.ProcessEnv): void {
  fs.mkdirSync(app, { recursive: true });
  const manifest = {
    name: 'app',
    version: '1.0.0',
    private: true,
    dependencies: { heatbath: `file:${packed.filename}` },
  };
  fs.writeFileSync(path.join(app, 'package.json'), JSON.stringify(manifest));
  fs.writeFileSync(path.join(app, 'package-lock.json'), JSON.stringify(appLockfile(packed.filename, packed.integrity)));
  fs.copyFileSync(packed.tarball, path.join(app, packed.filename));
  run('npm', ['ci', '--offline', '--ignore-scripts', '--no-audit', '--no-fund'], app, { env });
}

/** This environment without npm's variables: jest may run under `npm test`, and npm must not inherit them. */
export function cleanEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra };
  for (const key of Object.keys(env)) if (key.startsWith('npm_')) delete env[key];
  return env;
}
