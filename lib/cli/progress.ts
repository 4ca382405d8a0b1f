/** Progress bars for long CLI work: drawn on stderr when it is a terminal, silent otherwise. */
import { SingleBar, Presets } from 'cli-progress';

export interface Progress {
  update(done: number, payload?: Record<string, string | number>): void;
  stop(): void;
}

export function progressBar(total: number, label: string, enabled = process.stderr.isTTY === true): Progress {
  if (!enabled) return { update() {}, stop() {} };
  const bar = new SingleBar(
    { format: `${label} [{bar}] {percentage}% | {value}/{total} {info}`, stream: process.stderr, hideCursor: true },
    Presets.shades_classic,
  );
  bar.start(total, 0, { info: '' });
  return {
    update: (done, payload) => bar.update(done, { info: '', ...payload }),
    stop: () => bar.stop(),
  };
}
