/** The compiled CLI as a child process, for tests that send it signals or watch its files. */
import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

export const cli = path.resolve(__dirname, '..', '..', 'dist', 'lib', 'cli', 'main.js');

export interface CliProcess {
  child: ChildProcess;
  /** Resolves when the process has ended: its exit code (null when a signal killed it) and output. */
  ended: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;
}

/** Children still running: a test that fails or times out must not leave them behind (they keep jest alive). */
const running = new Set<ChildProcess>();

/** Kills every CLI process a test started and that has not ended (for afterEach). */
export function killStarted(): void {
  for (const child of running) child.kill('SIGKILL');
}

export function startCli(args: string[], options: { cwd?: string } = {}): CliProcess {
  const child = spawn(process.execPath, [cli, ...args], { cwd: options.cwd });
  running.add(child);
  child.on('close', () => running.delete(child));
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const ended = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>(
    (resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
  return { child, ended };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Waits until the CLI has loaded the native addon (seen in /proc/<pid>/maps, so Linux only), which happens
 * on its first native call: after its signal handlers are installed, as its work begins. Then `settleMs` more.
 */
export async function whenLoaded(cliProcess: CliProcess, settleMs = 800): Promise<void> {
  const maps = `/proc/${cliProcess.child.pid}/maps`;
  for (;;) {
    if (cliProcess.child.exitCode !== null) throw new Error('the CLI ended before it loaded the addon');
    // A local build (heatbath.node) or a prebuild (heatbath.glibc.node).
    if (fs.existsSync(maps) && /\/heatbath(\.\w+)?\.node$/m.test(fs.readFileSync(maps, 'utf8'))) break;
    await sleep(20);
  }
  await sleep(settleMs);
}

/** Waits until `file` exists. */
export async function whenWritten(file: string): Promise<void> {
  while (!fs.existsSync(file)) await sleep(20);
}

/** Leftover temporary files of atomic writes in a folder. */
export function tempFiles(dir: string): string[] {
  return fs.readdirSync(dir).filter((name) => name.endsWith('.tmp'));
}
