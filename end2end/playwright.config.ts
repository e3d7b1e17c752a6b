// Playwright runs the real server binary (built by scripts/build-site.sh) on a free port
// and drives Debian's Chromium against it. Browsers are never downloaded.
import { defineConfig } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

// The config is evaluated by the runner and again by each worker; workers inherit the
// runner's environment, so the port picked first is the port everyone uses.
if (!process.env.TETHER_E2E_PORT) {
  process.env.TETHER_E2E_PORT = execFileSync(process.execPath, [
    '-e',
    "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})",
  ]).toString().trim();
}
const port = Number(process.env.TETHER_E2E_PORT);
// A fresh database for every run, outside the source tree (picked once, like the port).
process.env.TETHER_E2E_DATA ??= mkdtempSync(path.join(tmpdir(), 'tether-e2e-shared-'));
const root = path.resolve(__dirname, '..');
const serverBin = process.env.TETHER_SERVER_BIN ?? path.join(root, 'target/debug/server');
const siteRoot = process.env.TETHER_SITE_ROOT ?? path.join(root, 'target/site');

export default defineConfig({
  testDir: './tests',
  // Timing-sensitive connection tests on 2 cores: one at a time.
  workers: 1,
  fullyParallel: false,
  forbidOnly: !!process.env.CI,
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: [['list']],
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
  },
  webServer: {
    command: serverBin,
    url: `http://127.0.0.1:${port}/healthz`,
    reuseExistingServer: false,
    timeout: 60_000,
    stdout: 'pipe',
    stderr: 'pipe',
    env: {
      TETHER_ADDR: `127.0.0.1:${port}`,
      // A fresh database for every run, outside the source tree.
      TETHER_DATA_DIR: process.env.TETHER_E2E_DATA!,
      LEPTOS_SITE_ROOT: siteRoot,
      RUST_LOG: process.env.RUST_LOG ?? 'info',
      // Every browser context of the run comes from 127.0.0.1; a real crowd has many
      // addresses, each with its own join budget.
      TETHER_JOINS_PER_SECOND: '1000',
      TETHER_JOINS_BURST: '1000',
    },
  },
});
