// Benchmarks in the browser (not part of the test command): scripts/bench-reconnect.sh.
import base from './playwright.config';
import { defineConfig } from '@playwright/test';

export default defineConfig({
  ...base,
  testDir: './bench',
  testMatch: /.*\.bench\.ts/,
  webServer: undefined,
  timeout: 180_000,
  reporter: [['list']],
});
