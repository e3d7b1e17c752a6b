// Browser chaos: three people draw while their WebSockets are cut at random moments and the
// server is killed and restarted once. In the end every board shows every stroke drawn,
// once, with the same doc hash.
import { test, expect } from './fixtures';
import { NetworkControl } from './network';
import { newRoom, gotoBoard, drawStroke, expectConverged, status } from './helpers';

test.use({
  serverEnv: {
    TETHER_PING_INTERVAL_MS: '1000',
    TETHER_PONG_TIMEOUT_MS: '1000',
    TETHER_BACKOFF_BASE_MS: '200',
    TETHER_BACKOFF_CAP_MS: '1500',
    TETHER_HANDSHAKE_TIMEOUT_MS: '3000',
    TETHER_WS_PING_INTERVAL_MS: '1000',
  },
});

test('three clients, random socket cuts and a server kill: nothing lost or doubled', async ({ browser, server }) => {
  test.setTimeout(120_000);
  const room = newRoom();
  const clients = [];
  for (const name of ['Ada', 'Ben', 'Cai']) {
    const context = await browser.newContext({ baseURL: server.baseURL });
    const page = await context.newPage();
    const net = await NetworkControl.install(page);
    await gotoBoard(page, room, name);
    clients.push({ page, net });
  }
  // A fixed seed, so a failure can be replayed.
  let seed = 20261122;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);

  const rounds = 36;
  const killAt = 12;
  let drawn = 0;
  for (let round = 0; round < rounds; round++) {
    const who = clients[Math.floor(random() * clients.length)];
    await drawStroke(who.page, drawn);
    drawn++;
    if (random() < 0.3) {
      await clients[Math.floor(random() * clients.length)].net.cut();
    }
    if (round === killAt) {
      await server.kill('SIGKILL');
    }
    if (round === killAt + 4) {
      await server.launch();
    }
  }
  for (const { page } of clients) {
    await expect(status(page)).toHaveAttribute('data-state', 'connected', { timeout: 30_000 });
  }
  await expectConverged(clients.map((c) => c.page), drawn);
});
