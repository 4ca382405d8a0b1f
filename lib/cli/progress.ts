/** Progress bars for long CLI work: drawn on stderr when it is a terminal, silent otherwise. */

export interface Progress {
  update(done: number, payload?: Record<string, string | number>): void;
  stop(): void;
}

export function progressBar(total: number, label: string, enabled = process.stderr.isTTY === true): Progress {
  if (!enabled) return { update() {}, stop() {} };
  const { SingleBar, Presets } = require('cli-progress') as typeof import('cli-progress'); // only when a bar is drawn
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
