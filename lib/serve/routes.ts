/** The HTTP routes: models, samples (in every format), reload, health and metrics. */
import { PassThrough } from 'stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { HeatbathError } from '../errors';
import { AnswerBuilder, checkFormat, CONTENT_TYPE, ndjsonBatch, negotiate, summaryFields } from './answer-formats';
import { JobQueue } from './queue';
import { queuedPlan } from './queued-plan';
import { errorAnswer, ServeError } from './errors';
import { servedKind } from './kinds';
import { checkBudget, ServeLimits } from './limits';
import { ServeMetrics } from './metrics';
import { ModelEntry, ModelStore } from './model-store';
import { SampleRequest, sampleRequestSchema } from './request-schema';
import { planSampleJob, runSampleJob } from './sample-job';
import { Scheduler } from './scheduler';

export interface RouteContext {
  store: ModelStore;
  scheduler: Scheduler;
  metrics: ServeMetrics;
  limits: ServeLimits;
  /** With a job queue, batches are computed by its workers (queued-plan.ts), not in this process. */
  queue?: JobQueue;
  /** True once SIGTERM (or close) started draining: new samples are refused. */
  draining(): boolean;
  ready(): boolean;
}

const nameParams = {
  type: 'object',
  required: ['name'],
  properties: { name: { type: 'string', maxLength: 256 } },
} as const;

function servable(store: ModelStore, name: string): ModelEntry & { ok: true } {
  const entry = store.get(name);
  if (entry === undefined) throw new ServeError(404, 'ERR_NOT_FOUND', 'no such model');
  if (!entry.ok) throw new ServeError(409, entry.error.code, entry.error.message);
  return entry;
}

function summary(entry: ModelEntry): Record<string, unknown> {
  if (!entry.ok) return { name: entry.name, ok: false, error: entry.error, loadedAt: entry.loadedAt };
  return { name: entry.name, ok: true, kind: servedKind(entry.model)!.kind, loadedAt: entry.loadedAt };
}

export function registerRoutes(app: FastifyInstance, ctx: RouteContext): void {
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_req, reply) => {
    if (ctx.draining() || !ctx.ready())
      return reply.code(503).send({ status: ctx.draining() ? 'draining' : 'loading' });
    return { status: 'ready', models: ctx.store.list().filter((e) => e.ok).length };
  });
  app.get('/metrics', async (_req, reply) => reply.type(ctx.metrics.contentType).send(await ctx.metrics.text()));

  app.get('/v1/models', async () => ({ models: ctx.store.list().map(summary) }));
  app.get('/v1/models/:name', { schema: { params: nameParams } }, async (req) => {
    const entry = servable(ctx.store, (req.params as { name: string }).name);
    return { name: entry.name, ...servedKind(entry.model)!.describe(entry.model as never), loadedAt: entry.loadedAt };
  });
  app.post('/v1/models/reload', async () => ctx.store.reload());

  app.post('/v1/models/:name/samples', { schema: { params: nameParams, body: sampleRequestSchema } }, (req, reply) =>
    sampleRoute(ctx, req, reply),
  );
}

async function sampleRoute(ctx: RouteContext, req: FastifyRequest, reply: FastifyReply): Promise<unknown> {
  if (ctx.draining()) throw new ServeError(503, 'ERR_DRAINING', 'the server is shutting down', { 'Retry-After': '1' });
  const name = (req.params as { name: string }).name;
  const entry = servable(ctx.store, name);
  const request = req.body as SampleRequest;
  const format = negotiate(req.headers.accept);
  const local = planSampleJob(entry.model, request);
  const plan = ctx.queue === undefined ? local : queuedPlan(local, ctx.queue, name, request);
  checkFormat(format, plan);
  checkBudget(ctx.limits, plan);
  const threads =
    request.threads === undefined
      ? ctx.limits.threads
      : Math.min(request.threads, ctx.limits.threads ?? request.threads);

  // The job stops when the client goes away or the request times out.
  const gone = new AbortController();
  reply.raw.on('close', () => {
    if (!reply.raw.writableFinished) gone.abort();
  });
  const signal = AbortSignal.any([gone.signal, AbortSignal.timeout(ctx.limits.timeoutMs)]);
  const ticket = ctx.scheduler.admit(signal);
  let waited = 0;
  const admitted = process.hrtime.bigint();
  const gate = <T>(cost: number, work: () => Promise<T>) =>
    ticket.gate(cost, () => {
      if (waited === 0) waited = Number(process.hrtime.bigint() - admitted) / 1e9;
      return work();
    });
  const finished = (s: Awaited<ReturnType<typeof runSampleJob>>) =>
    ctx.metrics.computed(s.kind, s.n, s.work, s.engineSeconds);
  const failure = (err: unknown) =>
    signal.aborted && !gone.signal.aborted
      ? new ServeError(503, 'ERR_TIMEOUT', `the request took longer than ${ctx.limits.timeoutMs} ms and was cancelled`)
      : err;

  if (format === 'ndjson') {
    const out = new PassThrough();
    reply.type(CONTENT_TYPE.ndjson).send(out);
    runSampleJob(plan, {
      signal,
      gate,
      threads,
      onBatch: (batch) => {
        if (out.write(ndjsonBatch(batch, plan))) return;
        // A slow reader holds the next batch back; one that goes away must release it too.
        return new Promise<void>((resolve) => {
          const go = () => {
            out.off('drain', go);
            signal.removeEventListener('abort', go);
            resolve();
          };
          out.once('drain', go);
          signal.addEventListener('abort', go, { once: true });
        });
      },
    })
      .then((s) => {
        finished(s);
        out.end(
          `${JSON.stringify({ done: true, model: name, kind: plan.kind, n: plan.n, seed: plan.seed, dtype: plan.dtype, width: plan.width, stats: summaryFields(s, waited) })}\n`,
        );
      })
      .catch((err) => {
        const { body } = errorAnswer(failure(err));
        if (!(err instanceof HeatbathError && err.code === 'ERR_ABORTED' && gone.signal.aborted))
          req.log.warn({ err }, 'streamed sampling failed');
        out.end(`${JSON.stringify(body)}\n`);
      })
      .finally(() => ticket.release());
    return reply;
  }

  const builder = new AnswerBuilder(format, plan, { model: name });
  try {
    const s = await runSampleJob(plan, { signal, gate, threads, onBatch: (batch) => builder.add(batch) });
    finished(s);
    return reply.type(CONTENT_TYPE[format]).send(builder.finish(s, waited));
  } catch (err) {
    throw failure(err);
  } finally {
    ticket.release();
  }
}
