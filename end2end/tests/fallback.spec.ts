// WebSockets blocked (as by a proxy): the client falls back to HTTP long-polling, keeps
// drawing with WebSocket peers, and returns to WebSocket when it works again — nothing
// lost or doubled across either switch.
import { test, expect } from './fixtures';
import { newRoom, openBoard, drawStroke, expectConverged, status, board, pageWithoutWebSockets } from './helpers';

test.use({
  serverEnv: {
    TETHER_BACKOFF_BASE_MS: '300',
    TETHER_BACKOFF_CAP_MS: '1000',
    TETHER_HANDSHAKE_TIMEOUT_MS: '3000',
    TETHER_WS_PROBE_INTERVAL_MS: '2000',
    TETHER_POLL_HOLD_MS: '5000',
  },
});

test('blocked WebSockets fall back to polling and come back without loss', async ({ browser, server }) => {
  const room = newRoom();
  const { page: a, net } = await pageWithoutWebSockets(browser, server.baseURL);
  await a.goto(`/b/${room}?name=Alice`);
  await expect(a.locator('main')).toHaveAttribute('data-hydrated', 'true');
  // Every WebSocket is refused; HTTP works: the client falls back and says so.
  await expect(status(a)).toHaveAttribute('data-transport', 'polling', { timeout: 20_000 });
  await expect(status(a)).toHaveAttribute('data-state', 'degraded');
  await expect(status(a)).toContainText('fallback');
  const b = (await openBoard(browser, room, 'Bob', server.baseURL)).page;
  await expect(status(b)).toHaveAttribute('data-transport', 'websocket');

  for (let i = 0; i < 3; i++) await drawStroke(a, i);
  await drawStroke(b, 5);
  await expectConverged([a, b], 4);
  await expect(b.locator('[data-testid=peer][data-peer-name="Alice"]')).toHaveAttribute('data-peer-state', 'active');

  // A reload remembers the fallback (no failed attempts again) and still works.
  const refusedBefore = net.opened;
  await a.reload();
  await expect(a.locator('main')).toHaveAttribute('data-hydrated', 'true');
  await expect(status(a)).toHaveAttribute('data-transport', 'polling');
  await expect(board(a)).toHaveAttribute('data-stroke-count', '4');
  await drawStroke(a, 3);
  await expectConverged([a, b], 5);

  // WebSockets work again: the next probe finds out and the client moves back.
  net.mode = { kind: 'pass' };
  await expect(status(a)).toHaveAttribute('data-transport', 'websocket', { timeout: 20_000 });
  await expect(status(a)).toHaveAttribute('data-state', 'connected');
  expect(net.opened).toBeGreaterThan(refusedBefore);
  await drawStroke(a, 4);
  await drawStroke(b, 6);
  await expectConverged([a, b], 7);
});
