/**
 * Loads the native addon: the binary HEATBATH_ADDON names if set, else a local build, else the prebuilt
 * binary that fits (see load()), or raises a HeatbathError telling the user what to run.
 */
import * as path from 'path';
import { asHeatbathError, HeatbathError } from '../errors';
import { packageRoot } from '../util/package-root';
import type { NativeAddon } from './binding';

let loaded: { addon: NativeAddon; file: string } | undefined;

/** An error raised by our own addon while initialising (e.g. a bad HEATBATH_SIMD), not a missing binary. */
function isOurs(err: unknown): boolean {
  const code = (err as { code?: unknown })?.code;
  return typeof code === 'string' && code.startsWith('ERR_') && code !== 'ERR_DLOPEN_FAILED';
}

/**
 * HEATBATH_ADDON names a binary to load instead of the usual search, e.g. a build with sanitizers;
 * failing to load it is an error, never a silent fall-back to another binary.
 */
function loadNamed(file: string): { addon: NativeAddon; file: string } {
  const resolved = path.resolve(file);
  try {
    return { addon: require(resolved) as NativeAddon, file: resolved };
  } catch (err) {
    if (isOurs(err)) throw asHeatbathError(err);
    throw new HeatbathError(
      'ERR_NATIVE_MISSING',
      `HEATBATH_ADDON=${file} could not be loaded: ${(err as Error).message.split('\n')[0]}`,
      {
        cause: err,
      },
    );
  }
}

/**
 * node-gyp-build picks the binary: a local build (build/Release, from `npm rebuild` or a checkout) if there
 * is one, else the prebuild in prebuilds/<platform>-<arch>/ whose tags (libc, Node-API) fit this process.
 * It is the same choice its install step made when it decided nothing needed compiling, and a binary the
 * user built on purpose wins over the shipped one. HEATBATH_PREBUILD=<dir> points it at another folder.
 */
function load(): { addon: NativeAddon; file: string } {
  const named = process.env.HEATBATH_ADDON;
  if (named) return loadNamed(named);
  let file = 'no binary found';
  try {
    const nodeGypBuild = require('node-gyp-build') as { resolve(dir: string): string };
    file = nodeGypBuild.resolve(packageRoot);
    return { addon: require(file) as NativeAddon, file };
  } catch (err) {
    if (isOurs(err)) throw asHeatbathError(err);
    throw new HeatbathError(
      'ERR_NATIVE_MISSING',
      `heatbath's native addon could not be loaded for ${process.platform}-${process.arch} (Node ${process.version}; ` +
        `${file}): ${(err as Error).message.split('\n')[0]}\n  Build it from source with ` +
        '"npm rebuild heatbath --build-from-source" (needs python3, make and a C++17 compiler; see docs/install.md), ' +
        'or "npm run build" in a checkout.',
      { cause: err },
    );
  }
}

/** The loaded addon (loaded once per environment, on first use). */
export function native(): NativeAddon {
  loaded ??= load();
  return loaded.addon;
}

/** Path of the binary that was loaded. */
export function nativeFile(): string {
  native();
  return loaded!.file;
}
