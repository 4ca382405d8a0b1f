/** Runs test/helpers/lifetime-child.js (the compiled library) in a fresh process, killed after `limitMs`. */
import { spawn } from 'child_process';
import * as path from 'path';

export interface ChildResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** ms from the first stdout line containing `mark` to the process's exit (undefined if never printed). */
  msAfterMark?: number;
}

export function runChild(args: string[], options: { limitMs: number; mark?: string }): Promise<ChildResult> {
  const child = spawn(process.execPath, [path.join(__dirname, 'lifetime-child.js'), ...args]);
  let stdout = '';
  let stderr = '';
  let markedAt: bigint | undefined;
  child.stdout.on('data', (chunk) => {
    stdout += chunk;
    if (options.mark !== undefined && markedAt === undefined && stdout.includes(options.mark))
      markedAt = process.hrtime.bigint();
  });
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const killer = setTimeout(() => child.kill('SIGKILL'), options.limitMs);
  return new Promise((resolve) => {
    child.on('exit', (code, signal) => {
      clearTimeout(killer);
      const msAfterMark = markedAt === undefined ? undefined : Number(process.hrtime.bigint() - markedAt) / 1e6;
      resolve({ code, signal, stdout, stderr, msAfterMark });
    });
  });
}

/** The last JSON line a child printed. */
export function lastJson(stdout: string): Record<string, number> {
  const lines = stdout
    .trim()
    .split('\n')
    .filter((line) => line.startsWith('{'));
  if (lines.length === 0) throw new Error(`the child printed no result:\n${stdout}`);
  return JSON.parse(lines[lines.length - 1]);
}
