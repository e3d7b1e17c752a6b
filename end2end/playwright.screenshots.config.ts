// The README's pictures, taken from the real app (not part of the test command):
// scripts/screenshots.sh. Same server and browser setup as the tests.
import base from './playwright.config';
import { defineConfig } from '@playwright/test';

export default defineConfig({
  ...base,
  testDir: './screenshots',
  testMatch: /.*\.shots\.ts/,
  timeout: 120_000,
});
