/**
 * The models of a directory, loaded once and shared by every request. A model's name is its file name without
 * `.safetensors`, from a small alphabet; requests look names up in this table only, so no name a client sends
 * ever becomes a path. Reloading reads the directory again: new and changed files are loaded, removed ones
 * dropped; requests in flight keep the model object they started with. A file that fails to load becomes an
 * entry with a coded error (its message naming the model, never the path), and the others keep serving.
 */
import * as fs from 'fs';
import * as path from 'path';
import { HeatbathError } from '../errors';
import { loadModel } from '../io/model-file';
import '../models/model-kinds';
import { servedKind } from './kinds';

const SUFFIX = '.safetensors';
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

export type ModelEntry =
  | { name: string; ok: true; model: unknown; loadedAt: Date; stamp: string }
  | { name: string; ok: false; error: { code: string; message: string }; loadedAt: Date; stamp: string };

export interface ReloadReport {
  loaded: string[];
  failed: string[];
  removed: string[];
  unchanged: string[];
}

export class ModelStore {
  private entries = new Map<string, ModelEntry>();
  private reloading: Promise<ReloadReport> | undefined;

  constructor(readonly dir: string) {}

  get(name: string): ModelEntry | undefined {
    return this.entries.get(name);
  }

  list(): ModelEntry[] {
    return [...this.entries.values()].sort((a, b) => (a.name < b.name ? -1 : 1));
  }

  /** Reads the directory again; concurrent calls share one pass. */
  reload(): Promise<ReloadReport> {
    this.reloading ??= this.scan().finally(() => (this.reloading = undefined));
    return this.reloading;
  }

  private async scan(): Promise<ReloadReport> {
    let names: string[];
    try {
      names = (await fs.promises.readdir(this.dir)).filter(
        (f) => f.endsWith(SUFFIX) && NAME.test(f.slice(0, -SUFFIX.length)),
      );
    } catch (err) {
      throw new HeatbathError(
        'ERR_IO',
        `the models directory cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})`,
      );
    }
    const report: ReloadReport = { loaded: [], failed: [], removed: [], unchanged: [] };
    const next = new Map<string, ModelEntry>();
    for (const file of names.sort()) {
      const name = file.slice(0, -SUFFIX.length);
      const full = path.join(this.dir, file);
      const stat = await fs.promises.stat(full).catch(() => undefined);
      if (!stat?.isFile()) continue;
      const stamp = `${stat.size}:${stat.mtimeMs}:${stat.ino}`;
      const old = this.entries.get(name);
      if (old?.stamp === stamp) {
        next.set(name, old);
        report.unchanged.push(name);
        continue;
      }
      const entry = await load(name, full, stamp);
      next.set(name, entry);
      (entry.ok ? report.loaded : report.failed).push(name);
    }
    for (const name of this.entries.keys()) if (!next.has(name)) report.removed.push(name);
    this.entries = next;
    return report;
  }
}

async function load(name: string, file: string, stamp: string): Promise<ModelEntry> {
  const loadedAt = new Date();
  try {
    const model = await loadModel(file);
    if (servedKind(model) === undefined) {
      return {
        name,
        ok: false,
        error: { code: 'ERR_NOT_SERVABLE', message: `model ${name} is of a kind the server cannot sample` },
        loadedAt,
        stamp,
      };
    }
    return { name, ok: true, model, loadedAt, stamp };
  } catch (err) {
    const code = err instanceof HeatbathError ? err.code : 'ERR_BAD_FILE';
    // Messages start with the file's path: the client sees the model's name instead.
    const message = (err as Error).message.split(file).join(name).split(path.dirname(file)).join('.');
    return {
      name,
      ok: false,
      error: { code, message: `model ${name} could not be loaded: ${message}` },
      loadedAt,
      stamp,
    };
  }
}
