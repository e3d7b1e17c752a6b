// The README's picture of the operator dashboard, from the real app with some activity:
// three people on two boards, strokes landing, one reconnect. Run by scripts/screenshots.sh.
import { test, expect } from '../tests/fixtures';
import * as path from 'node:path';
import { drawStroke, gotoBoard, newRoom, status } from '../tests/helpers';
import { NetworkControl } from '../tests/network';

const images = path.resolve(__dirname, '../../docs/images');
const TOKEN = 'screenshot-admin-token';

test.use({ serverEnv: { TETHER_ADMIN_TOKEN: TOKEN } });

test('dashboard screenshot', async ({ browser, server }) => {
  const rooms = [newRoom(), newRoom()];
  const people = [];
  for (const [i, name] of ['Ann', 'Ben', 'Cy'].entries()) {
    const context = await browser.newContext({ baseURL: server.baseURL });
    const page = await context.newPage();
    const net = await NetworkControl.install(page);
    await gotoBoard(page, rooms[i % 2], name);
    people.push({ page, net });
  }
  for (let i = 0; i < 6; i++) await drawStroke(people[i % 3].page, i);
  await people[2].net.cut();
  await expect(status(people[2].page)).toHaveAttribute('data-state', 'connected');

  const admin = await (await browser.newContext({ baseURL: server.baseURL, viewport: { width: 1280, height: 900 } })).newPage();
  await admin.goto(`/admin?token=${TOKEN}`);
  await expect(admin.locator('main')).toHaveAttribute('data-hydrated', 'true');
  await expect(admin.getByTestId('admin-connections')).toHaveAttribute('data-value', '3');
  await expect(admin.getByTestId('admin-reconnects')).toHaveAttribute('data-value', '1');
  // Everyone's first connection report (5 s after connecting) is in.
  await expect(admin.locator('[data-bar="excellent"]')).toHaveAttribute('data-value', '3', { timeout: 15_000 });
  await admin.screenshot({ path: path.join(images, 'admin-dashboard.png') });
});
