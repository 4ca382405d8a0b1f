/**
 * The documentation as a newcomer meets it: every code block of README.md and docs/ runs as written
 * (against the compiled package and CLI, which `npm install` builds), every relative link and picture
 * resolves, docs/index.md lists every page, and the CLI reference names exactly the flags the CLI has.
 *
 * js blocks run with node, ts blocks type-check against the package's declarations (dist/) and run as ES
 * modules; each `console.log(...) // expected` comment must match what the block prints.
 * sh blocks run in bash in a scratch directory, `npx heatbath` being the compiled CLI; a block that cannot
 * run in a test (minutes of training, installing, the whole suite) says why in a `<!-- not run: … -->`
 * line just above it. text blocks are equations, synopses and printed output.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as ts from 'typescript';
import { anchors, CodeBlock, codeBlocks, links } from './helpers/markdown';

const root = path.resolve(__dirname, '..');
const docsDir = path.join(root, 'docs');
const cli = path.join(root, 'dist', 'lib', 'cli', 'main.js');

/**
 * Pages written on other branches, linked already: their links are checked once the files exist.
 * Remove a name from this list when its page lands.
 */
const PENDING_PAGES = [
  'workers.md',
  'reliability.md',
  'memory-and-seeds.md',
  'files.md',
  'cli-errors.md',
  'install.md',
];

/** Blocks that cannot run stay few: a new one needs a reason and a look at this number. */
const MAX_NOT_RUN = 10;

function markdownFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === 'api' ? [] : markdownFiles(full); // docs/api: TypeDoc's output
    return e.name.endsWith('.md') ? [full] : [];
  });
}

const pages = [path.join(root, 'README.md'), ...markdownFiles(docsDir)];
const rel = (file: string) => path.relative(root, file);
const text = new Map(pages.map((p) => [p, fs.readFileSync(p, 'utf8')]));
const blocks = pages.flatMap((p) => codeBlocks(text.get(p)!).map((b) => ({ page: rel(p), ...b })));
type Located = CodeBlock & { page: string };
const name = (b: Located) => `${b.page}:${b.line}`;

test('every code block is js, ts, sh or text, and few are not run', () => {
  for (const b of blocks) expect([name(b), b.lang]).toEqual([name(b), expect.stringMatching(/^(js|ts|sh|text)$/)]);
  const notRun = blocks.filter((b) => b.notRun);
  for (const b of notRun) expect([name(b), b.lang]).toEqual([name(b), 'sh']);
  expect(notRun.length).toBeLessThanOrEqual(MAX_NOT_RUN);
});

/** Runs a block and compares what it prints with its `console.log(...) // expected` comments. */
function expectPrints(code: string, args: string[]) {
  const expected = [...code.matchAll(/console\.log\(.*\);\s*\/\/ (.*)$/gm)].map((m) => m[1].trim());
  const stdout = execFileSync(process.execPath, [...args, code], { cwd: root, encoding: 'utf8', timeout: 90000 });
  const printed = stdout.trim().split('\n').filter(Boolean);
  expect(printed.sort()).toEqual(expected.sort());
}

const js = blocks.filter((b) => b.lang === 'js');
test.each(js.map((b) => [name(b), b]))('%s runs and prints what it says', (_name, b) => {
  expectPrints((b as Located).code, ['-e']);
});

const tsBlocks = blocks.filter((b) => b.lang === 'ts');
const tsOptions: ts.CompilerOptions = {
  strict: true,
  noEmit: true,
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.ES2022,
  moduleResolution: ts.ModuleResolutionKind.Node10,
  types: ['node'],
  typeRoots: [path.join(root, 'node_modules', '@types')],
  baseUrl: root,
  paths: { heatbath: ['dist/lib/index.d.ts'] },
  skipLibCheck: true,
};

test('ts blocks type-check against the package', () => {
  // Each block is a module of its own (top-level await allowed), checked in one program.
  const files = new Map(tsBlocks.map((b, k) => [path.join(root, `docs-block-${k}.ts`), b.code + '\nexport {};\n']));
  const host = ts.createCompilerHost(tsOptions);
  const readFile = host.readFile.bind(host);
  const fileExists = host.fileExists.bind(host);
  host.readFile = (f) => files.get(f) ?? readFile(f);
  host.fileExists = (f) => files.has(f) || fileExists(f);
  host.getSourceFile = (f, language) => {
    const text = host.readFile(f);
    return text === undefined ? undefined : ts.createSourceFile(f, text, language);
  };
  const program = ts.createProgram([...files.keys()], tsOptions, host);
  const problems = ts.getPreEmitDiagnostics(program).map((d) => {
    const k = d.file ? [...files.keys()].indexOf(d.file.fileName) : -1;
    const where =
      k >= 0 && d.start !== undefined
        ? `${name(tsBlocks[k])} +${d.file!.getLineAndCharacterOfPosition(d.start).line + 1}`
        : d.file?.fileName;
    return `${where}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
  });
  expect(tsBlocks.length).toBeGreaterThan(0);
  expect(problems).toEqual([]);
});

test.each(tsBlocks.map((b) => [name(b), b]))('%s runs and prints what it says', (_name, b) => {
  const module = ts.transpileModule((b as Located).code, {
    compilerOptions: { module: ts.ModuleKind.ES2022, target: ts.ScriptTarget.ES2022 },
  });
  expectPrints(module.outputText, ['--input-type=module', '-e']);
});

const sh = blocks.filter((b) => b.lang === 'sh' && !b.notRun);
describe('shell blocks', () => {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'heatbath-docs-'));
  fs.symlinkSync(path.join(root, 'examples'), path.join(scratch, 'examples'));
  afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));
  // `npx heatbath` is the compiled CLI; nothing else may be fetched or installed from a docs block. A
  // sanitizer runtime preloaded for the suite (npm run test:asan) goes to node only: curl and redis-server
  // hang or crash with it.
  const prelude =
    `set -euo pipefail\npreload="\${LD_PRELOAD-}"\nunset LD_PRELOAD\n` +
    `node() { LD_PRELOAD="$preload" command node "$@"; }\n` +
    `npx() { [ "$1" = heatbath ] || { echo "npx $1: not in a runnable block" >&2; return 1; }; shift; node ${JSON.stringify(cli)} "$@"; }\n`;
  test.each(sh.map((b) => [name(b), b]))('%s runs', (_name, b) => {
    execFileSync('bash', ['-c', prelude + (b as Located).code], {
      cwd: scratch,
      encoding: 'utf8',
      timeout: 180000,
      stdio: 'pipe',
    });
  });
});

describe('links', () => {
  const pending = new Set(PENDING_PAGES.map((p) => path.join(docsDir, p)));
  test.each(pages.map((p) => [rel(p)]))('every relative link of %s resolves', (page) => {
    const file = path.join(root, page);
    for (const { target, line } of links(text.get(file)!)) {
      if (/^[a-z]+:/i.test(target)) continue; // http(s), mailto
      const [target0, anchor] = target.split('#');
      const resolved = target0 === '' ? file : path.resolve(path.dirname(file), target0);
      if (pending.has(resolved) && !fs.existsSync(resolved)) continue;
      expect([`${page}:${line}`, target, fs.existsSync(resolved)]).toEqual([`${page}:${line}`, target, true]);
      if (anchor !== undefined && resolved.endsWith('.md')) {
        const headings = anchors(fs.readFileSync(resolved, 'utf8'));
        expect([`${page}:${line}`, target, headings.has(anchor)]).toEqual([`${page}:${line}`, target, true]);
      }
    }
  });

  test('docs/index.md lists every page of docs/, and the pages on their way', () => {
    const index = path.join(docsDir, 'index.md');
    const listed = new Set(links(text.get(index)!).map((l) => path.resolve(docsDir, l.target.split('#')[0])));
    for (const p of [...pages.filter((p) => p.startsWith(docsDir + path.sep) && p !== index), ...pending]) {
      expect([rel(p), listed.has(p)]).toEqual([rel(p), true]);
    }
  });

  test('every picture in docs/ is shown on some page', () => {
    const shown = new Set(
      pages.flatMap((p) => links(text.get(p)!).map((l) => path.resolve(path.dirname(p), l.target))),
    );
    for (const png of fs.readdirSync(docsDir).filter((f) => f.endsWith('.png'))) {
      expect([png, shown.has(path.join(docsDir, png))]).toEqual([png, true]);
    }
  });
});

describe('CLI reference (docs/cli.md) against `heatbath … --help`', () => {
  interface Help {
    flags: Map<string, string | undefined>;
    commands: string[];
  }
  /** The flags (with their defaults) and the subcommands that `--help` prints. */
  function help(command: string[]): Help {
    const out = execFileSync(process.execPath, [cli, ...command, '--help'], { encoding: 'utf8' });
    // commander wraps descriptions: join continuation lines onto their entry first. A default is commander's
    // `(default: x)` or, for flags whose default depends on other flags, `(default x; …)` in the description.
    const entries = out.split('\n').reduce<string[]>((acc, line) => {
      if (/^ {2}\S/.test(line)) acc.push(line.trim());
      else if (/^ {3,}\S/.test(line) && acc.length > 0) acc[acc.length - 1] += ' ' + line.trim();
      else if (line.trim() !== '') acc.push('');
      return acc;
    }, []);
    const flags = new Map<string, string | undefined>();
    const commands: string[] = [];
    for (const entry of entries) {
      const flag = /^(?:-\w, )?(--[\w-]+)/.exec(entry);
      if (flag) {
        if (flag[1] !== '--help') flags.set(flag[1], /\(default:? "?([^";)]*)"?(?:;[^)]*)?\)$/.exec(entry)?.[1]);
      } else if (/^[a-z]/.test(entry) && !entry.startsWith('help ')) {
        commands.push(entry.split(' ')[0]);
      }
    }
    return { flags, commands };
  }

  const reference = fs.readFileSync(path.join(docsDir, 'cli.md'), 'utf8');
  /** The flag table of the section `## heatbath <command>`: flag → default cell. */
  function documented(command: string[]): Map<string, string> | undefined {
    const lines = reference.split('\n');
    const start = lines.indexOf(`## heatbath ${command.join(' ')}`);
    if (start < 0) return undefined;
    const end = lines.findIndex((l, k) => k > start && l.startsWith('## '));
    const rows = new Map<string, string>();
    for (const line of lines.slice(start, end < 0 ? undefined : end)) {
      const row = /^\| `(--[\w-]+)[^`]*` \| ([^|]*) \|/.exec(line);
      if (row) rows.set(row[1], row[2].trim().replace(/^`(.*)`$/, '$1'));
    }
    return rows;
  }

  const commands: string[][] = [];
  (function walk(command: string[]) {
    const h = help(command);
    if (command.length > 0 && (h.flags.size > 0 || h.commands.length === 0)) commands.push(command);
    for (const sub of h.commands) walk([...command, sub]);
  })([]);

  test('finds the commands', () => {
    expect(commands.map((c) => c.join(' '))).toEqual(
      expect.arrayContaining(['demo', 'demo ising', 'train rbm', 'sample', 'info']),
    );
  });

  test.each(commands.map((c) => [c.join(' '), c]))('heatbath %s: every flag and default', (_name, command) => {
    const rows = documented(command as string[]);
    expect(rows).toBeDefined();
    const { flags } = help(command as string[]);
    expect([...rows!.keys()].sort()).toEqual([...flags.keys()].sort());
    for (const [flag, value] of flags) expect([flag, rows!.get(flag)]).toEqual([flag, value ?? '—']);
  });
});
