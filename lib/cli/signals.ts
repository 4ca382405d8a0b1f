/**
 * SIGINT (Ctrl-C) and SIGTERM in the CLI. While stoppable work runs, the first signal asks it to stop: its
 * AbortSignal fires, and it winds down and saves what is safe to save (a model trained so far; never half a
 * file). A second signal, or a signal outside such work, exits at once. The exit code is 128 + the
 * signal's number either way (130, 143); io/atomic's exit hook removes any temporary file of a write in
 * progress, so an exit at once leaves the previous output untouched and no partial file behind.
 */
const EXIT_CODES = { SIGINT: 130, SIGTERM: 143 } as const;
type StopSignal = keyof typeof EXIT_CODES;

let received: StopSignal | undefined;
let running = 0;
const controller = new AbortController();

function onSignal(name: StopSignal): void {
  const again = received !== undefined;
  received = name;
  if (again || running === 0) process.exit(EXIT_CODES[name]);
  process.stderr.write(`\nheatbath: stopping on ${name}, keeping what is done (send it again to quit at once)\n`);
  controller.abort();
}

/** Installs the handlers (the `heatbath` command only: a library leaves its host's signals alone). */
export function handleStopSignals(): void {
  for (const name of Object.keys(EXIT_CODES) as StopSignal[]) process.on(name, () => onSignal(name));
}

/** Runs work that a first SIGINT/SIGTERM stops through `signal` rather than by exiting. */
export async function stoppable<T>(work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  running++;
  try {
    return await work(controller.signal);
  } finally {
    running--;
  }
}

/** 130 or 143 once a signal asked the command to stop, else undefined. */
export function stopExitCode(): number | undefined {
  return received === undefined ? undefined : EXIT_CODES[received];
}
