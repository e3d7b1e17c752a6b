// Two browsers through HAProxy, on different nodes of a Redis cluster, draw together; the
// node of one of them is killed. It reconnects through the balancer to the other node and
// resumes its session: nothing lost or doubled, and its peer sees it back, never gone.
import { test, expect } from './base';
import type { Page, Browser } from '@playwright/test';
import { TetherCluster } from './cluster';
import { board, drawStroke, expectConverged, gotoBoard, newRoom, status } from './helpers';

/** Every protocol message a page received, as parsed JSON. */
function recordReceived(page: Page): Array<{ type: string; [key: string]: unknown }> {
  const received: Array<{ type: string }> = [];
  page.on('websocket', (ws) =>
    ws.on('framereceived', (frame) => {
      try {
        received.push(JSON.parse(String(frame.payload)));
      } catch {
        // not a protocol message
      }
    }),
  );
  return received;
}

async function openOn(browser: Browser, cluster: TetherCluster, node: string, room: string, name: string) {
  const context = await browser.newContext({ baseURL: cluster.baseURL });
  await cluster.placeOn(context, node);
  const page = await context.newPage();
  const received = recordReceived(page);
  await gotoBoard(page, room, name);
  return { page, received };
}

const peer = (page: Page, name: string) => page.locator(`[data-testid="peer"][data-peer-name="${name}"]`);

test('a node dies: its browser resumes on the other node, nothing lost or doubled, the peer stays', async ({ browser }) => {
  const cluster = await TetherCluster.start({ TETHER_GRACE_MS: '30000' });
  try {
    const room = newRoom();
    const ann = await openOn(browser, cluster, 'node1', room, 'Ann');
    const ben = await openOn(browser, cluster, 'node2', room, 'Ben');
    await expect(peer(ben.page, 'Ann')).toHaveAttribute('data-peer-state', 'active');
    await expect(peer(ann.page, 'Ben')).toHaveAttribute('data-peer-state', 'active');
    for (let i = 0; i < 3; i++) {
      await drawStroke(ann.page, i);
      await drawStroke(ben.page, 10 + i);
    }
    await expectConverged([ann.page, ben.page], 6);
    const welcomes = () => ann.received.filter((m) => m.type === 'welcome');
    expect(welcomes()).toHaveLength(1);

    await cluster.killNode('node1');
    // Ann keeps drawing while her connection is re-established through the balancer.
    await drawStroke(ann.page, 3);
    await expect(status(ann.page)).toHaveAttribute('data-state', 'connected', { timeout: 20_000 });
    await drawStroke(ann.page, 4);
    await drawStroke(ben.page, 13);
    await expectConverged([ann.page, ben.page], 9);

    // Node 1 is dead, so Ann is on node 2 now: the same session, resumed.
    await expect.poll(() => welcomes().length).toBe(2);
    const [first, second] = welcomes();
    expect(second.resumed).toBe(true);
    expect(second.session).toBe(first.session);
    // Ben, on node 2 all along, kept his connection.
    expect(ben.received.filter((m) => m.type === 'welcome')).toHaveLength(1);
    // Ben sees Ann, once, active; he was never told she left.
    await expect(peer(ben.page, 'Ann')).toHaveCount(1);
    await expect(peer(ben.page, 'Ann')).toHaveAttribute('data-peer-state', 'active');
    expect(ben.received.filter((m) => m.type === 'peerLeft')).toEqual([]);

    // A fresh load through the balancer (now node 2 only) shows the same board.
    await gotoBoard(ben.page, room, 'Ben');
    await expect(board(ben.page)).toHaveAttribute('data-stroke-count', '9');
  } finally {
    await cluster.dispose();
  }
});
