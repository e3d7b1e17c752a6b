// A large backlog over the polling fallback: a tab holding 320 strokes drawn offline
// (saved in its outbox, which survives closing the tab) comes back where WebSockets are
// blocked. The polling transport must deliver every one of them. Before the fix the
// client sent its whole outbox in one POST, the server refused it (413: over 256
// messages), the client took that for a lost link, reconnected and sent the same batch
// again — forever.
import { test, expect } from './fixtures';
import { NetworkControl } from './network';
import { newRoom, openBoard, expectConverged, status, board } from './helpers';

test.use({
  serverEnv: {
    TETHER_BACKOFF_BASE_MS: '300',
    TETHER_BACKOFF_CAP_MS: '1000',
    TETHER_HANDSHAKE_TIMEOUT_MS: '3000',
    TETHER_POLL_HOLD_MS: '5000',
  },
});

const BACKLOG = 320;

/** The saved outbox of an earlier visit: `BACKLOG` small strokes, oldest first. */
function savedOutbox(): string {
  const now = Date.now();
  const ops = Array.from({ length: BACKLOG }, (_, i) => ({
    opId: `backlog-op-${i}`,
    op: {
      kind: 'addStroke',
      stroke: {
        id: `backlog-stroke-${i}`,
        points: [
          [20 + (i % 40) * 10, 20 + Math.floor(i / 40) * 12],
          [26 + (i % 40) * 10, 24 + Math.floor(i / 40) * 12],
        ],
        color: '#2563eb',
        width: 2,
      },
    },
    createdMs: now - (BACKLOG - i) * 1000,
  }));
  return JSON.stringify(ops);
}

test('a backlog of 320 offline strokes is delivered over polling', async ({ browser, server }) => {
  const room = newRoom();
  const context = await browser.newContext({ baseURL: server.baseURL });
  const a = await context.newPage();
  // The outbox an earlier (now closed) tab of this browser left for this room.
  await a.goto('/');
  await a.evaluate(
    ([key, value]) => localStorage.setItem(key, value),
    [`tether:outbox:${room}:an-earlier-tab`, savedOutbox()],
  );
  const net = await NetworkControl.install(a);
  net.mode = { kind: 'refuse' };
  await a.goto(`/b/${room}?name=Alice`);
  await expect(a.locator('main')).toHaveAttribute('data-hydrated', 'true');
  await expect(status(a)).toHaveAttribute('data-transport', 'polling', { timeout: 20_000 });

  // Everything is confirmed, once, and a WebSocket peer sees the same board.
  await expect(status(a)).toHaveAttribute('data-pending', '0', { timeout: 30_000 });
  await expect(board(a)).toHaveAttribute('data-seq', String(BACKLOG));
  const b = (await openBoard(browser, room, 'Bob', server.baseURL)).page;
  await expectConverged([a, b], BACKLOG);
  await expect(status(a)).toHaveAttribute('data-transport', 'polling');
});
