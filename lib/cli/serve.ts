/**
 * `heatbath serve`: serves the models of a directory over HTTP until SIGTERM or SIGINT, which drain it (no new
 * requests, in-flight ones finish, exit 0). SIGHUP reloads the directory. With --queue the batches are computed
 * by `heatbath worker` processes through Redis (serve/queued-plan.ts).
 */
import * as fs from 'fs';
import { HeatbathError } from '../errors';
import { readTokenFile } from '../serve/auth';
import { ServeLimits } from '../serve/limits';
import { createJobQueue } from '../serve/queue';
import { startServer } from '../serve/server';

export interface ServeCommandOptions {
  models: string;
  port: number;
  host: string;
  tokenFile?: string;
  threads?: number;
  maxWork?: number;
  maxSamples?: number;
  maxRunning?: number;
  maxQueued?: number;
  timeout?: number;
  bodyLimit?: number;
  rateLimit?: number;
  queue?: string;
  logLevel: string;
}

export async function serveCommand(opts: ServeCommandOptions): Promise<void> {
  if (!fs.statSync(opts.models, { throwIfNoEntry: false })?.isDirectory())
    throw new HeatbathError('ERR_IO', `--models ${opts.models} is not a directory`);
  const limits: Partial<ServeLimits> = {
    threads: opts.threads,
    maxWork: opts.maxWork,
    maxSamples: opts.maxSamples,
    maxRunning: opts.maxRunning,
    maxQueued: opts.maxQueued,
    timeoutMs: opts.timeout,
    bodyLimit: opts.bodyLimit,
    ratePerMinute: opts.rateLimit,
  };
  const token = opts.tokenFile === undefined ? undefined : readTokenFile(opts.tokenFile);
  const queue = opts.queue === undefined ? undefined : await createJobQueue({ url: opts.queue });
  const server = await startServer({
    models: opts.models,
    port: opts.port,
    host: opts.host,
    token,
    limits,
    logLevel: opts.logLevel,
    queue,
  });
  const log = server.app.log;
  process.on('SIGHUP', () => {
    server.store.reload().then(
      (report) => log.info({ report }, 'models reloaded'),
      (err) => log.error({ err }, 'reload failed'),
    );
  });
  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      log.info({ signal }, 'draining: finishing in-flight requests');
      server.drain().then(resolve, (err) => {
        log.error({ err }, 'drain failed');
        process.exitCode = 1;
        resolve();
      });
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
  await queue?.close();
  log.info('stopped');
}
