/**
 * Shares the engine between concurrent requests. The engine runs native jobs one at a time on its own thread
 * (all cores each), so sharing means choosing whose batch goes next: among the running requests, the one that
 * has received the least work so far (least attained service). Small requests finish while a large one is in
 * progress, and equal ones share evenly. Waiting costs a pending promise, never a thread.
 *
 * At most `maxRunning` requests take turns; up to `maxQueued` more wait in arrival order; beyond that a request
 * is refused at once (503 with Retry-After) instead of growing an unbounded backlog. Two batches are handed to
 * the engine at a time, so the next one is queued natively while the current one computes.
 */
import { HeatbathError } from '../errors';
import { ServeError } from './errors';
import { Gate } from './sample-job';

export interface SchedulerOptions {
  maxRunning: number;
  maxQueued: number;
  /** Engine calls handed over at once (default 2). */
  inFlight?: number;
  /** Called when a request's first batch starts, with the seconds it waited since admission. */
  onStart?: (waitSeconds: number) => void;
}

interface Pending {
  cost: number;
  run: () => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (err: unknown) => void;
}

interface Job {
  seq: number;
  admitted: bigint;
  started: boolean;
  served: number;
  pending?: Pending;
  /** Resolves when the job may take turns (immediately for a running job). */
  entered: boolean;
  enter?: () => void;
  abort?: (err: unknown) => void;
}

export interface Ticket {
  /** Runs one engine call when it is this request's turn. */
  gate: Gate;
  /** The request is done (or failed): its place goes to the next one. */
  release(): void;
}

export class Scheduler {
  private readonly running = new Set<Job>();
  private readonly waiting: Job[] = [];
  private inFlight = 0;
  private seq = 0;
  private readonly options: Required<Omit<SchedulerOptions, 'onStart'>> & Pick<SchedulerOptions, 'onStart'>;

  constructor(options: SchedulerOptions) {
    this.options = { inFlight: 2, ...options };
  }

  /** Requests waiting for a turn to start. */
  get queued(): number {
    return this.waiting.length;
  }

  /** Requests taking turns on the engine. */
  get active(): number {
    return this.running.size;
  }

  /** A place for one request, or a 503 when the running and waiting places are all taken. */
  admit(signal?: AbortSignal): Ticket {
    if (this.running.size >= this.options.maxRunning && this.waiting.length >= this.options.maxQueued) {
      throw new ServeError(503, 'ERR_QUEUE_FULL', 'the server is at capacity; retry later', { 'Retry-After': '1' });
    }
    const job: Job = { seq: this.seq++, admitted: process.hrtime.bigint(), started: false, served: 0, entered: false };
    if (this.running.size < this.options.maxRunning) {
      job.entered = true;
      this.running.add(job);
    } else this.waiting.push(job);
    const onAbort = () => this.cancel(job, new HeatbathError('ERR_ABORTED', 'the sampling request was cancelled'));
    signal?.addEventListener('abort', onAbort, { once: true });
    let released = false;
    return {
      gate: <T>(cost: number, run: () => Promise<T>) => this.gate(job, cost, run) as Promise<T>,
      release: () => {
        if (released) return;
        released = true;
        signal?.removeEventListener('abort', onAbort);
        this.remove(job);
      },
    };
  }

  private async gate(job: Job, cost: number, run: () => Promise<unknown>): Promise<unknown> {
    if (!job.entered) {
      await new Promise<void>((resolve, reject) => {
        job.enter = resolve;
        job.abort = reject;
      });
    }
    return new Promise((resolve, reject) => {
      job.pending = { cost, run, resolve, reject };
      job.abort = reject;
      this.dispatch();
    });
  }

  private cancel(job: Job, err: unknown): void {
    const i = this.waiting.indexOf(job);
    if (i >= 0) this.waiting.splice(i, 1);
    if (job.pending) {
      job.pending = undefined;
      job.abort?.(err);
    } else if (!job.entered) job.abort?.(err);
    // A batch already handed to the engine is stopped by the same signal inside the engine.
  }

  private remove(job: Job): void {
    const i = this.waiting.indexOf(job);
    if (i >= 0) this.waiting.splice(i, 1);
    if (this.running.delete(job)) {
      const next = this.waiting.shift();
      if (next) {
        next.entered = true;
        this.running.add(next);
        next.enter?.();
      }
    }
    this.dispatch();
  }

  private dispatch(): void {
    while (this.inFlight < this.options.inFlight) {
      let pick: Job | undefined;
      for (const job of this.running) {
        if (
          job.pending &&
          (pick === undefined || job.served < pick.served || (job.served === pick.served && job.seq < pick.seq))
        )
          pick = job;
      }
      if (pick === undefined) return;
      const pending = pick.pending!;
      pick.pending = undefined;
      pick.served += pending.cost;
      if (!pick.started) {
        pick.started = true;
        this.options.onStart?.(Number(process.hrtime.bigint() - pick.admitted) / 1e9);
      }
      this.inFlight++;
      pending
        .run()
        .then(pending.resolve, pending.reject)
        .finally(() => {
          this.inFlight--;
          this.dispatch();
        });
    }
  }
}
