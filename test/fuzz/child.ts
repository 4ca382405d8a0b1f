/**
 * Runs one case's process under limits: a wall-clock timeout, V8's heap limit (set by the caller's
 * --max-old-space-size), an address-space limit through prlimit where it exists, and a resident-set cap
 * enforced by polling /proc/<pid>/status. The process gets its own process group, so a timeout or the
 * memory cap kills whatever it started too.
 */
import { spawn } from 'child_process';
import * as fs from 'fs';
import { ProcessEnd } from './outcome';

export interface Limits {
  timeoutMs: number;
  rssMb: number;
  /** RLIMIT_AS, a backstop for allocations faster than the polling; 0 for none. */
  addressSpaceMb: number;
}

const POLL_MS = 20;
/** Output kept per stream: the end, where results and errors are. */
const KEEP_BYTES = 256 * 1024;

let prlimitPath: string | null | undefined;

function prlimit(): string | null {
  prlimitPath ??= ['/usr/bin/prlimit', '/bin/prlimit'].find((p) => fs.existsSync(p)) ?? null;
  return prlimitPath;
}

/** Peak resident set (VmHWM) of a live process in MB, or undefined once it is gone. */
function peakRssMb(pid: number): number | undefined {
  try {
    const match = /^VmHWM:\s+(\d+) kB/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Math.round(Number(match[1]) / 1024) : undefined;
  } catch {
    return undefined;
  }
}

function collector(): { push: (chunk: Buffer) => void; text: () => string } {
  let kept = Buffer.alloc(0);
  return {
    push(chunk) {
      kept = Buffer.concat([kept, chunk]);
      if (kept.length > 2 * KEEP_BYTES) kept = kept.subarray(kept.length - KEEP_BYTES);
    },
    text: () => kept.subarray(Math.max(0, kept.length - KEEP_BYTES)).toString('utf8'),
  };
}

export function runLimited(
  command: string,
  args: string[],
  options: { cwd: string; env: NodeJS.ProcessEnv; limits: Limits },
): Promise<ProcessEnd> {
  const { limits } = options;
  const wrapper = prlimit();
  const [file, argv] =
    wrapper !== null && limits.addressSpaceMb > 0
      ? [wrapper, [`--as=${limits.addressSpaceMb * 1024 * 1024}`, '--', command, ...args]]
      : [command, args];
  return new Promise((resolve) => {
    const child = spawn(file, argv, {
      cwd: options.cwd,
      env: options.env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const stdout = collector();
    const stderr = collector();
    child.stdout.on('data', stdout.push);
    child.stderr.on('data', stderr.push);
    let killedFor: ProcessEnd['killedFor'];
    let peak = 0;
    const stop = (reason: 'timeout' | 'memory') => {
      killedFor ??= reason;
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // Already gone.
      }
    };
    const poll = setInterval(() => {
      const rss = peakRssMb(child.pid!);
      if (rss === undefined) return;
      peak = Math.max(peak, rss);
      if (rss > limits.rssMb) stop('memory');
    }, POLL_MS);
    const timer = setTimeout(() => stop('timeout'), limits.timeoutMs);
    child.on('close', (exitCode, signal) => {
      clearInterval(poll);
      clearTimeout(timer);
      resolve({ stdout: stdout.text(), stderr: stderr.text(), exitCode, signal, killedFor, peakRssMb: peak });
    });
    child.on('error', (err) => {
      clearInterval(poll);
      clearTimeout(timer);
      resolve({ stdout: '', stderr: `could not start: ${err.message}`, exitCode: null, signal: null, peakRssMb: 0 });
    });
  });
}
