/**
 * The layout of lib/ (docs/architecture.md): dependency-cruiser finds no import that breaks the floors, and
 * the page's picture of which folder imports which is the graph of the code as it is.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { codeBlocks } from './helpers/markdown';

const root = path.resolve(__dirname, '..');

interface Cruise {
  modules: Array<{ source: string; dependencies: Array<{ resolved: string }> }>;
  summary: { violations: Array<{ rule: { name: string }; from: string; to: string }> };
}

// depcruise exits with the number of violations; its JSON report is on stdout either way.
function cruise(): Cruise {
  const bin = path.join(root, 'node_modules', '.bin', 'depcruise');
  let out: string;
  try {
    out = execFileSync(bin, ['lib', '--config', '.dependency-cruiser.cjs', '--output-type', 'json'], {
      cwd: root,
      encoding: 'utf8',
      maxBuffer: 64 << 20,
    });
  } catch (err) {
    out = (err as { stdout: string }).stdout;
  }
  return JSON.parse(out) as Cruise;
}

/** lib/<folder>/… or lib/<file>.ts → the folder or file name. */
function folder(file: string): string | undefined {
  return /^lib\/([^/]+?)(\/|\.ts$)/.exec(file)?.[1];
}

const result = cruise();

test('no import in lib/ breaks the floors', () => {
  expect(result.summary.violations.map((v) => `${v.rule.name}: ${v.from} → ${v.to}`)).toEqual([]);
});

test("the architecture page's picture is the folder graph of the code", () => {
  const actual = new Map<string, Set<string>>();
  for (const m of result.modules) {
    const from = folder(m.source);
    if (from === undefined || from === 'errors' || from === 'util') continue;
    for (const d of m.dependencies) {
      const to = folder(d.resolved);
      if (to === undefined || to === from) continue;
      if (!actual.has(from)) actual.set(from, new Set());
      // The picture leaves out errors and util, which everything imports (but says so for floors that import only them).
      if (to !== 'errors' && to !== 'util') actual.get(from)!.add(to);
    }
  }
  const page = fs.readFileSync(path.join(root, 'docs', 'architecture.md'), 'utf8');
  const picture = codeBlocks(page).find((b) => b.lang === 'text' && b.code.includes('──►'));
  expect(picture).toBeDefined();
  const drawn = new Map<string, Set<string>>();
  for (const line of picture!.code.split('\n').filter((l) => l.includes('►'))) {
    const [from, to] = line.split(/\s*─*►\s*/);
    const targets = to.startsWith('(') ? [] : to.split(',').map((t) => t.trim());
    drawn.set(from.trim(), new Set(targets));
  }
  const sorted = (graph: Map<string, Set<string>>) =>
    Object.fromEntries([...graph].map(([k, v]) => [k, [...v].sort()]).sort());
  expect(sorted(drawn)).toEqual(sorted(actual));
});
