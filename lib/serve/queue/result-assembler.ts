/**
 * The consumer's side of the chunk protocol (protocol.ts), without Redis: it turns the entries of every attempt
 * of a job, in stream order, into the one sequence of chunks an undisturbed run would have produced.
 *
 * It hands out chunk i once, from whichever attempt delivers it first; a later copy (a retry replaying what a
 * dead attempt already sent) must have the same digest, else the handler is not deterministic and the job fails.
 * A chunk beyond the next one (Redis lost the entries before it) is skipped: a later attempt sends it again.
 * An end entry finishes the job when it counts exactly the chunks handed out; one that counts more belongs to
 * an attempt whose entries were partly lost, and the caller resubmits the job.
 */
import { HeatbathError } from '../../errors';
import { ResultEntry } from './protocol';

export class ResultAssembler {
  /** The index of the next chunk to hand out. */
  private next = 0;
  private readonly digests: string[] = [];
  /** Whether an end entry has counted exactly the chunks handed out. */
  finished = false;
  /** Whether an error entry has ended the job (its worker failed it: nothing to cancel). */
  failed = false;

  constructor(private readonly jobId: string) {}

  /** The number of chunks handed out so far. */
  get delivered(): number {
    return this.next;
  }

  /** Takes the next entry of the stream: returns the chunk to hand out, if any; throws the job's error. */
  accept(entry: ResultEntry): Buffer | undefined {
    if (this.finished) return undefined; // a straggling attempt after the end
    switch (entry.kind) {
      case 'chunk':
        if (entry.index === this.next) {
          this.digests.push(entry.digest);
          this.next++;
          return entry.data;
        }
        if (entry.index < this.next && entry.digest !== this.digests[entry.index]) {
          throw this.notDeterministic(`chunk ${entry.index} differs between two attempts`);
        }
        return undefined;
      case 'end':
        if (entry.count < this.next)
          throw this.notDeterministic(`an attempt ended after ${entry.count} of ${this.next} chunks`);
        this.finished = entry.count === this.next;
        return undefined;
      case 'error':
        this.failed = true;
        if (entry.code === 'ERR_JOB_FAILED') {
          throw new HeatbathError('ERR_JOB_FAILED', `job ${this.jobId} failed on its worker: ${entry.message}`);
        }
        throw new HeatbathError(entry.code, entry.message);
    }
  }

  private notDeterministic(what: string): HeatbathError {
    return new HeatbathError(
      'ERR_JOB_FAILED',
      `job ${this.jobId} was retried and ${what}: its handler is not deterministic in its input`,
    );
  }
}
