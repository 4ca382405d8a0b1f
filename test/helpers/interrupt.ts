/** Runs the compiled CLI, sends Ctrl-C (SIGINT) once `file` exists, and returns the exit code and JSON report. */
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

const cli = path.resolve(__dirname, '..', '..', 'dist', 'lib', 'cli', 'main.js');

export async function interruptWhenWritten(
  args: string[],
  file: string,
): Promise<{ code: number | null; report: Record<string, unknown> }> {
  const child = spawn(process.execPath, [cli, ...args, '--json']);
  let stdout = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  while (!fs.existsSync(file)) await new Promise((resolve) => setTimeout(resolve, 20));
  child.kill('SIGINT');
  const code = await exited;
  return { code, report: JSON.parse(stdout) };
}
