// `test` with a per-test `server` (see server.ts). Use it for tests that restart, kill or
// stop the server; other tests share the config's webServer.
import { test as base } from './base';
import { TetherServer } from './server';

export const test = base.extend<{ server: TetherServer; serverEnv: Record<string, string> }>({
  serverEnv: [{}, { option: true }],
  server: async ({ serverEnv }, use) => {
    const server = await TetherServer.start(serverEnv);
    await use(server);
    await server.dispose();
  },
  baseURL: async ({ server }, use) => use(server.baseURL),
});

export { expect } from './base';
