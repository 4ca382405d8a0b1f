/**
 * `heatbath serve`'s app: fastify with JSON-schema validation, pino logging, coded JSON errors, optional bearer
 * auth, per-client rate limits, metrics and a graceful drain. fastify and prom-client are loaded only here, so
 * `require('heatbath')` never loads them.
 */
import Fastify, { FastifyInstance } from 'fastify';
import rateLimit from '@fastify/rate-limit';
import { bearerCheck } from './auth';
import { errorAnswer, ServeError } from './errors';
import { ServeLimits, resolveLimits } from './limits';
import { ServeMetrics } from './metrics';
import { ModelStore } from './model-store';
import { JobQueue } from './queue';
import { registerRoutes } from './routes';
import { Scheduler } from './scheduler';

export interface ServeOptions {
  models: string;
  port?: number;
  /** Default 127.0.0.1: other machines reach the server only when told. */
  host?: string;
  /** Bearer token required on every route but /healthz and /readyz. */
  token?: string;
  limits?: Partial<ServeLimits>;
  /** pino level ('info' by default; 'silent' for none). */
  logLevel?: string;
  /** Computes batches on this job queue's workers instead of in this process (`heatbath serve --queue`). */
  queue?: JobQueue;
}

export interface Server {
  app: FastifyInstance;
  store: ModelStore;
  scheduler: Scheduler;
  /** http://host:port once listening. */
  url: string;
  /** Stops accepting, lets in-flight requests finish, then closes. */
  drain(): Promise<void>;
}

const OPEN_ROUTES = new Set(['/healthz', '/readyz']);

export async function buildApp(options: ServeOptions): Promise<Omit<Server, 'url'>> {
  const limits = resolveLimits(options.limits);
  const store = new ModelStore(options.models);
  const metrics = new ServeMetrics({
    get queued() {
      return scheduler.queued;
    },
    get active() {
      return scheduler.active;
    },
  });
  const scheduler: Scheduler = new Scheduler({
    maxRunning: limits.maxRunning,
    maxQueued: limits.maxQueued,
    onStart: (s) => metrics.waited(s),
  });
  let draining = false;
  let ready = false;

  const app = Fastify({
    logger: { level: options.logLevel ?? 'info' },
    bodyLimit: limits.bodyLimit,
    // Strict bodies: no coercion of "5" into 5, no silently dropped fields, no defaults filled in.
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false, useDefaults: false, allErrors: false } },
    return503OnClosing: true,
    // A client has this long to send its request (headers and body); computing the answer is bounded by timeoutMs.
    requestTimeout: 30_000,
    forceCloseConnections: 'idle',
    // Not needed behind no proxy; client addresses come from the socket.
    trustProxy: false,
  });

  const check = options.token === undefined ? undefined : bearerCheck(options.token);
  app.addHook('onRequest', async (req) => {
    if (check && !OPEN_ROUTES.has(req.url.split('?')[0])) check(req.headers.authorization);
  });
  app.addHook('onSend', async (_req, reply, payload) => {
    // While draining, each connection closes after its answer instead of idling until the keep-alive timeout.
    if (draining) reply.header('connection', 'close');
    return payload;
  });
  app.addHook('onResponse', async (req, reply) => {
    metrics.request(req.routeOptions.url ?? 'unmatched', req.method, reply.statusCode, reply.elapsedTime / 1000);
  });
  if (limits.ratePerMinute > 0) {
    await app.register(rateLimit, {
      max: limits.ratePerMinute,
      timeWindow: 60_000,
      allowList: (req) => OPEN_ROUTES.has(req.url.split('?')[0]),
      errorResponseBuilder: (_req, context) =>
        new ServeError(
          429,
          'ERR_RATE_LIMITED',
          `more than ${context.max} requests a minute from this client; retry in ${context.after}`,
          { 'Retry-After': String(Math.ceil(context.ttl / 1000)) },
        ),
    });
  }

  app.setErrorHandler((err, req, reply) => {
    let answer = errorAnswer(err);
    const e = err as { validation?: unknown; statusCode?: number; code?: string; message: string };
    if (answer.status === 500 && e.validation !== undefined) {
      answer = { status: 400, body: { error: { code: 'ERR_BAD_REQUEST', message: e.message } }, headers: {} };
    } else if (answer.status === 500 && typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
      // fastify's own refusals: malformed JSON, bodies too large, unsupported media types.
      const code =
        e.statusCode === 413
          ? 'ERR_BODY_TOO_LARGE'
          : e.statusCode === 415
            ? 'ERR_UNSUPPORTED_MEDIA_TYPE'
            : 'ERR_BAD_REQUEST';
      answer = { status: e.statusCode, body: { error: { code, message: e.message } }, headers: {} };
    }
    if (answer.status >= 500) req.log.error({ err }, 'request failed');
    reply.code(answer.status).headers(answer.headers).send(answer.body);
  });
  app.setNotFoundHandler((_req, reply) => {
    reply.code(404).send({ error: { code: 'ERR_NOT_FOUND', message: 'no such route or model' } });
  });

  registerRoutes(app, {
    store,
    scheduler,
    metrics,
    limits,
    queue: options.queue,
    draining: () => draining,
    ready: () => ready,
  });
  const report = await store.reload();
  ready = true;
  app.log.info({ models: report.loaded, failed: report.failed }, 'models loaded');

  return {
    app,
    store,
    scheduler,
    async drain() {
      draining = true;
      await app.close();
    },
  };
}

/** Builds the app and listens (127.0.0.1:8080 unless told otherwise; port 0 picks a free one). */
export async function startServer(options: ServeOptions): Promise<Server> {
  const built = await buildApp(options);
  const url = await built.app.listen({ port: options.port ?? 8080, host: options.host ?? '127.0.0.1' });
  return { ...built, url };
}
