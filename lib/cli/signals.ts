/**
 * SIGINT (Ctrl-C) and SIGTERM in the CLI. While stoppable work runs, the first signal asks it to stop: its
 * AbortSignal fires, and it winds down and saves what is safe to save (a model trained so far; never half a
 * file). A second signal exits at once (io/atomic's exit hook removes the temporary file of a write in
 * progress, so no partial file is left). The exit code is 128 + the signal's number either way (130, 143).
 *
 * Outside stoppable work the handlers are not installed, so a signal ends the process at once the default
 * way, even inside a long synchronous computation that a JavaScript handler would have to wait for.
 */
const EXIT_CODES = { SIGINT: 130, SIGTERM: 143 } as const;
type StopSignal = keyof typeof EXIT_CODES;
const SIGNALS = Object.keys(EXIT_CODES) as StopSignal[];

let received: StopSignal | undefined;
let running = 0;
const controller = new AbortController();

function onSignal(name: StopSignal): void {
  const again = received !== undefined;
  received = name;
  if (again) process.exit(EXIT_CODES[name]);
  process.stderr.write(`\nheatbath: stopping on ${name}, keeping what is done (send it again to quit at once)\n`);
  controller.abort();
}

/**
 * Runs work that a first SIGINT/SIGTERM stops through `signal` rather than by ending the process (for the
 * `heatbath` command only: a library leaves its host's signals alone).
 */
export async function stoppable<T>(work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  if (running++ === 0) for (const name of SIGNALS) process.on(name, onSignal);
  try {
    return await work(controller.signal);
  } finally {
    if (--running === 0) for (const name of SIGNALS) process.removeListener(name, onSignal);
  }
}

/** 130 or 143 once a signal asked the command to stop, else undefined. */
export function stopExitCode(): number | undefined {
  return received === undefined ? undefined : EXIT_CODES[received];
}
