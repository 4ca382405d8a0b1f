/**
 * A real redis-server for tests: loopback only, a free port, no persistence, a scratch directory. It answers
 * PING before `startRedis` resolves, can be stopped (gracefully or with SIGKILL) and started again on the same
 * port, and never outlives the test process: an exit hook kills it, and a watchdog shell kills it when the test
 * process dies without running hooks (SIGKILL), since the watchdog's stdin closes with its parent.
 */
import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';

const REDIS_SERVER = process.env.HEATBATH_REDIS_SERVER ?? '/usr/bin/redis-server';
const READY_MS = 10000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A port nobody listens on now (the kernel's pick for port 0). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** True when a redis-server answers PING on the port. */
function pings(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    let reply = '';
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.on('data', (data) => {
      reply += data;
      if (reply.includes('\r\n')) done(reply.startsWith('+PONG'));
    });
  });
}

export class RedisServer {
  private child?: ChildProcess;
  private watchdog?: ChildProcess;
  private readonly killOnExit = () => this.kill();

  private constructor(
    readonly port: number,
    private readonly dir: string,
  ) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** Whether the server process is running. */
  get running(): boolean {
    return this.child !== undefined;
  }

  /** Starts a server on a free loopback port and waits until it answers PING. */
  static async start(): Promise<RedisServer> {
    const server = new RedisServer(await freePort(), fs.mkdtempSync(path.join(os.tmpdir(), 'heatbath-redis-')));
    await server.restart();
    return server;
  }

  /** Starts the server again on the same port (with an empty database: nothing is persisted). */
  async restart(): Promise<void> {
    if (this.child) throw new Error('redis-server is already running');
    // A port kept between restarts may be taken in the meantime; a test then fails on "not ready" below.
    const args = [
      '--port',
      String(this.port),
      '--bind',
      '127.0.0.1',
      '--dir',
      this.dir,
      '--save',
      '',
      '--appendonly',
      'no',
    ];
    const child = spawn(
      REDIS_SERVER,
      [...args, '--daemonize', 'no', '--protected-mode', 'yes', '--loglevel', 'warning'],
      {
        stdio: 'ignore',
      },
    );
    this.child = child;
    child.once('exit', () => {
      if (this.child === child) this.child = undefined;
    });
    // The watchdog's stdin is a pipe from this process: it reads EOF when this process ends, however it ends.
    const watchdog = spawn('sh', ['-c', `read _; kill -9 ${child.pid} 2>/dev/null`], {
      stdio: ['pipe', 'ignore', 'ignore'],
    });
    watchdog.unref();
    (watchdog.stdin as net.Socket).unref();
    this.watchdog = watchdog;
    process.once('exit', this.killOnExit);
    const deadline = Date.now() + READY_MS;
    while (!(await pings(this.port))) {
      if (this.child !== child || Date.now() > deadline) {
        this.kill();
        throw new Error(`redis-server (${REDIS_SERVER}) did not answer PING on port ${this.port}`);
      }
      await sleep(20);
    }
  }

  /** Stops the server: SIGTERM (a clean shutdown) or SIGKILL (a crash). Resolves when it has exited. */
  async stop(signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM'): Promise<void> {
    const child = this.child;
    if (!child) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill(signal);
    await exited;
    this.watchdog?.kill('SIGKILL');
    this.watchdog = undefined;
    process.removeListener('exit', this.killOnExit);
  }

  /** Stops the server and removes its directory. */
  async close(): Promise<void> {
    await this.stop('SIGKILL');
    fs.rmSync(this.dir, { recursive: true, force: true });
  }

  private kill(): void {
    this.child?.kill('SIGKILL');
    this.watchdog?.kill('SIGKILL');
  }
}
