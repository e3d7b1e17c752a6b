// A Tether cluster owned by one test, started by scripts/cluster.sh itself: a Redis, two
// server nodes and HAProxy on a free port. The test places browsers on nodes with the
// balancer's stickiness cookie and kills nodes by PID; dispose() stops everything (the
// script stops what it started, by PID).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { BrowserContext } from '@playwright/test';
import { freePort, root, serverBin, siteRoot } from './server';

/** Resolves once `check` is true, polling every 50 ms; rejects after `ms`. */
async function until(check: () => boolean | Promise<boolean>, ms: number, what: string) {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export class TetherCluster {
  /** What the script printed (its own lines; node logs stay in its temp dir). */
  log = '';
  private constructor(
    private readonly script: ChildProcess,
    private readonly exited: Promise<void>,
    readonly baseURL: string,
    /** `node1`, `node2`, `redis`, `haproxy` → PID. */
    readonly pids: Map<string, number>,
    private readonly dir: string,
  ) {}

  /** Starts the cluster; `env` adds TETHER_* settings for every node. */
  static async start(env: Record<string, string> = {}): Promise<TetherCluster> {
    const dir = mkdtempSync(path.join(tmpdir(), 'tether-e2e-cluster-'));
    const stateFile = path.join(dir, 'state');
    const balancer = `127.0.0.1:${await freePort()}`;
    const script = spawn('bash', [path.join(root, 'scripts/cluster.sh')], {
      cwd: root,
      env: {
        ...process.env,
        TETHER_SERVER_BIN: serverBin,
        LEPTOS_SITE_ROOT: siteRoot,
        TETHER_CLUSTER_ADDR: balancer,
        TETHER_CLUSTER_STATE: stateFile,
        RUST_LOG: process.env.RUST_LOG ?? 'info',
        // Every browser comes from 127.0.0.1; a real crowd has many addresses.
        TETHER_JOINS_PER_SECOND: '1000',
        TETHER_JOINS_BURST: '1000',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<void>((resolve) => script.once('exit', () => resolve()));
    const cluster = new TetherCluster(script, exited, `http://${balancer}`, new Map(), dir);
    script.stdout!.on('data', (d) => (cluster.log += d));
    script.stderr!.on('data', (d) => (cluster.log += d));
    await until(() => existsSync(stateFile) || script.exitCode !== null, 60_000, 'the cluster to start');
    if (script.exitCode !== null) throw new Error(`scripts/cluster.sh failed:\n${cluster.log}`);
    for (const line of readFileSync(stateFile, 'utf8').trim().split('\n')) {
      const [name, pid] = line.split(' ');
      cluster.pids.set(name, Number(pid));
    }
    // HAProxy answers once a node passed its readiness check.
    await until(
      async () => (await fetch(`${cluster.baseURL}/readyz`).catch(() => undefined))?.ok ?? false,
      30_000,
      'the balancer to reach a ready node',
    );
    return cluster;
  }

  /** Makes every request of `context` go to `node` while it is up (the balancer's cookie). */
  async placeOn(context: BrowserContext, node: string) {
    await context.addCookies([{ name: 'tether-node', value: node, url: this.baseURL }]);
  }

  /** `kill -9` of a node; resolves once the process is gone. */
  async killNode(node: string) {
    const pid = this.pids.get(node)!;
    process.kill(pid, 'SIGKILL');
    await until(() => !alive(pid), 10_000, `${node} to die`);
  }

  async dispose() {
    if (this.script.exitCode === null) this.script.kill('SIGTERM');
    await this.exited;
    rmSync(this.dir, { recursive: true, force: true });
  }
}
