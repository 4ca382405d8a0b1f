/**
 * Prometheus metrics (prom-client, in a registry of the server's own): requests by route and status, latency,
 * the scheduler's queue, the engine's throughput with queue time excluded, and native memory.
 */
import * as prom from 'prom-client';

export class ServeMetrics {
  readonly registry = new prom.Registry();
  private readonly requests = new prom.Counter({
    name: 'heatbath_http_requests_total',
    help: 'HTTP requests by route, method and status',
    labelNames: ['route', 'method', 'status'],
    registers: [this.registry],
  });
  private readonly latency = new prom.Histogram({
    name: 'heatbath_http_request_duration_seconds',
    help: 'HTTP request latency by route',
    labelNames: ['route'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 120],
    registers: [this.registry],
  });
  private readonly queueWait = new prom.Histogram({
    name: 'heatbath_queue_wait_seconds',
    help: 'Time from admission to a request’s first engine call',
    buckets: [0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30],
    registers: [this.registry],
  });
  private readonly work = new prom.Counter({
    name: 'heatbath_engine_updates_total',
    help: 'Unit updates (spin flips or Langevin unit-steps) the engine made',
    registers: [this.registry],
  });
  private readonly engineSeconds = new prom.Counter({
    name: 'heatbath_engine_seconds_total',
    help: 'Seconds the engine computed for requests (queue time excluded)',
    registers: [this.registry],
  });
  private readonly samples = new prom.Counter({
    name: 'heatbath_samples_total',
    help: 'Samples served',
    labelNames: ['kind'],
    registers: [this.registry],
  });
  private readonly flipsPerNs = new prom.Gauge({
    name: 'heatbath_engine_updates_per_ns',
    help: 'Unit updates per ns of engine time, last request',
    registers: [this.registry],
  });
  private readonly samplesPerSecond = new prom.Gauge({
    name: 'heatbath_engine_samples_per_second',
    help: 'Samples per second of engine time, last request',
    registers: [this.registry],
  });

  constructor(queue: { queued: number; active: number }) {
    new prom.Gauge({
      name: 'heatbath_queue_depth',
      help: 'Requests waiting for their first turn',
      registers: [this.registry],
      collect() {
        this.set(queue.queued);
      },
    });
    new prom.Gauge({
      name: 'heatbath_requests_running',
      help: 'Requests taking turns on the engine',
      registers: [this.registry],
      collect() {
        this.set(queue.active);
      },
    });
    new prom.Gauge({
      name: 'heatbath_native_memory_bytes',
      help: 'Memory held outside the JS heap (native engines’ buffers reported to V8, array buffers)',
      registers: [this.registry],
      collect() {
        this.set(process.memoryUsage().external);
      },
    });
    prom.collectDefaultMetrics({ register: this.registry, prefix: 'heatbath_' });
  }

  request(route: string, method: string, status: number, seconds: number): void {
    this.requests.inc({ route, method, status: String(status) });
    this.latency.observe({ route }, seconds);
  }

  waited(seconds: number): void {
    this.queueWait.observe(seconds);
  }

  computed(kind: string, samples: number, work: number, seconds: number): void {
    this.work.inc(work);
    this.engineSeconds.inc(seconds);
    this.samples.inc({ kind }, samples);
    if (seconds > 0) {
      this.flipsPerNs.set(work / (seconds * 1e9));
      this.samplesPerSecond.set(samples / seconds);
    }
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
