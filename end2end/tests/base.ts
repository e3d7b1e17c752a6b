// `test` for every spec: contexts a test opens with `browser.newContext()` are closed when
// it ends. Playwright closes only the contexts of its own `page`/`context` fixtures; the
// others would live on for the whole run (the browser is per worker), their pages still
// drawing, pinging and reconnecting to servers long gone — load that slows every later
// test on 2 cores. Tests with a server of their own use `./fixtures`, built on this.
import { test as playwright } from '@playwright/test';
import type { BrowserContext } from '@playwright/test';

export const test = playwright.extend<{ closeOpenedContexts: void }>({
  closeOpenedContexts: [
    async ({ browser }, use) => {
      const before = new Set<BrowserContext>(browser.contexts());
      await use();
      const opened = browser.contexts().filter((context) => !before.has(context));
      await Promise.all(opened.map((context) => context.close().catch(() => {})));
    },
    { auto: true },
  ],
});

export { expect } from '@playwright/test';
