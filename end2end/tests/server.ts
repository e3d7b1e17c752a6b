// A Tether server process owned by one test: its own port and SQLite data dir, so it can
// be killed, stopped (SIGSTOP) and restarted without disturbing other tests. The test
// fails if the server ever panicked.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

export const root = path.resolve(__dirname, '../..');
export const serverBin = process.env.TETHER_SERVER_BIN ?? path.join(root, 'target/debug/server');
export const siteRoot = process.env.TETHER_SITE_ROOT ?? path.join(root, 'target/site');

/** A port nothing on 127.0.0.1 listens on right now. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

export class TetherServer {
  private proc?: ChildProcess;
  private exited?: Promise<number | null>;
  /** Everything the server printed, across restarts. */
  log = '';

  private constructor(
    readonly port: number,
    readonly dataDir: string,
    private readonly env: Record<string, string>,
  ) {}

  /** Starts a server on a free port with a fresh data dir; `env` adds TETHER_* settings. */
  static async start(env: Record<string, string> = {}): Promise<TetherServer> {
    const server = new TetherServer(await freePort(), mkdtempSync(path.join(tmpdir(), 'tether-e2e-')), env);
    await server.launch();
    return server;
  }

  get baseURL(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Starts the process (again) on the same port and data dir; resolves once it listens. */
  async launch(): Promise<void> {
    const proc = spawn(serverBin, [], {
      env: {
        ...process.env,
        TETHER_ADDR: `127.0.0.1:${this.port}`,
        TETHER_DATA_DIR: this.dataDir,
        LEPTOS_SITE_ROOT: siteRoot,
        RUST_LOG: process.env.RUST_LOG ?? 'info',
        RUST_BACKTRACE: '1',
        // Every page comes from 127.0.0.1; a real crowd has many addresses.
        TETHER_JOINS_PER_SECOND: '1000',
        TETHER_JOINS_BURST: '1000',
        ...this.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.proc = proc;
    this.exited = new Promise((resolve) => proc.once('exit', (code) => resolve(code)));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`server did not start:\n${this.log}`)), 20_000);
      const onData = (chunk: Buffer) => {
        this.log += chunk.toString();
        if (this.log.includes(`listening on http://127.0.0.1:${this.port}`)) {
          clearTimeout(timer);
          resolve();
        }
      };
      proc.stdout!.on('data', onData);
      proc.stderr!.on('data', onData);
      proc.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`server exited with ${code} before listening:\n${this.log}`));
      });
    });
  }

  /** Sends `signal` and waits for the process to end. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<number | null> {
    if (!this.proc || this.proc.exitCode !== null) return this.proc?.exitCode ?? null;
    this.proc.kill(signal);
    return this.exited!;
  }

  /** SIGSTOP / SIGCONT: the process stays, its sockets stay open, nothing answers. */
  pause() {
    this.proc?.kill('SIGSTOP');
  }

  resume() {
    this.proc?.kill('SIGCONT');
  }

  /** Stops the server for good, removes its data and reports panics. */
  async dispose(): Promise<void> {
    this.resume();
    await this.kill('SIGKILL');
    rmSync(this.dataDir, { recursive: true, force: true });
    if (this.log.includes('panicked')) {
      throw new Error(`the server panicked:\n${this.log}`);
    }
  }
}
