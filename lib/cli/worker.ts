/**
 * `heatbath worker`: computes the batches that `heatbath serve --queue` puts on a Redis job queue, with the
 * models of a directory (the same files as the server's), until SIGTERM or SIGINT, which let the running jobs
 * finish. SIGHUP reloads the directory.
 */
import * as fs from 'fs';
import { HeatbathError } from '../errors';
import { ModelStore } from '../serve/model-store';
import { startQueueWorker } from '../serve/queue';
import { batchJobHandler } from '../serve/queued-plan';

export interface WorkerCommandOptions {
  redis: string;
  models: string;
  concurrency: number;
  threads?: number;
}

export async function workerCommand(opts: WorkerCommandOptions): Promise<void> {
  if (!fs.statSync(opts.models, { throwIfNoEntry: false })?.isDirectory())
    throw new HeatbathError('ERR_IO', `--models ${opts.models} is not a directory`);
  const store = new ModelStore(opts.models);
  const report = await store.reload();
  const worker = await startQueueWorker({
    url: opts.redis,
    concurrency: opts.concurrency,
    handler: batchJobHandler(store, opts.threads),
    onError: (err) => process.stderr.write(`heatbath worker: ${err.message}\n`),
  });
  process.on('SIGHUP', () => void store.reload());
  await new Promise<void>((resolve) => {
    const stop = () => worker.close().then(resolve, resolve);
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
    const failed = report.failed.length > 0 ? `, ${report.failed.length} failed` : '';
    process.stderr.write(
      `heatbath worker (pid ${process.pid}): ${report.loaded.length} models loaded${failed}; waiting for jobs\n`,
    );
  });
}
