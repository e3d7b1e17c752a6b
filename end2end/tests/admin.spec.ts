// The operator dashboard at /admin: behind --admin-token, and live — it follows people
// joining and reconnecting without a reload.
import { test, expect } from './fixtures';
import { NetworkControl } from './network';
import { newRoom, openBoard, gotoBoard, status } from './helpers';
import { violations } from './axe';
import { PHONE } from './touch';

const TOKEN = 'test-admin-token-0123456789';

test.describe('with an admin token', () => {
  test.use({ serverEnv: { TETHER_ADMIN_TOKEN: TOKEN } });

  test('the dashboard counts connections live and shows a reconnect after a socket is cut', async ({ browser, page, server }) => {
    await page.goto(`/admin?token=${TOKEN}`);
    await expect(page.locator('main')).toHaveAttribute('data-hydrated', 'true');
    const connections = page.getByTestId('admin-connections');
    await expect(connections).toHaveAttribute('data-value', '0');
    await expect(page.getByTestId('admin-reconnects')).toHaveAttribute('data-value', '0');

    const room = newRoom();
    const alice = await openBoard(browser, room, 'Alice', server.baseURL);
    await expect(connections).toHaveAttribute('data-value', '1');
    await expect(page.getByTestId('admin-rooms')).toHaveAttribute('data-value', '1');

    const context = await browser.newContext({ baseURL: server.baseURL });
    const bob = await context.newPage();
    const net = await NetworkControl.install(bob);
    await gotoBoard(bob, room, 'Bob');
    await expect(connections).toHaveAttribute('data-value', '2');
    await expect(page.getByTestId('admin-room-table')).toContainText(room);

    await net.cut();
    await expect(status(bob)).toHaveAttribute('data-state', 'connected');
    await expect(page.getByTestId('admin-reconnects')).toHaveAttribute('data-value', '1');
    await expect(connections).toHaveAttribute('data-value', '2');
    await expect(page.getByTestId('admin')).toHaveAttribute('data-fresh', 'true');

    await alice.page.context().close();
    await context.close();
  });

  for (const [name, options] of [
    ['desktop, light', { viewport: { width: 1280, height: 800 }, colorScheme: 'light' as const }],
    ['phone, dark', { ...PHONE, colorScheme: 'dark' as const }],
  ]) {
    test(`the dashboard passes axe and fits the screen (${name})`, async ({ browser, server }) => {
      const context = await browser.newContext({ ...(options as object), baseURL: server.baseURL });
      const page = await context.newPage();
      await openBoard(browser, newRoom(), 'Ann', server.baseURL);
      await page.goto(`/admin?token=${TOKEN}`);
      await expect(page.locator('main')).toHaveAttribute('data-hydrated', 'true');
      await expect(page.getByTestId('admin-connections')).toHaveAttribute('data-value', '1');
      expect(await violations(page)).toEqual([]);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      expect(overflow, 'no sideways scrolling').toBeLessThanOrEqual(0);
      await context.close();
    });
  }

  test('without the token, or with a wrong one, the dashboard and its data are refused', async ({ page, request }) => {
    for (const path of ['/admin', '/admin?token=wrong']) {
      const response = await page.goto(path);
      expect(response?.status(), path).toBe(401);
      await expect(page.getByTestId('admin-refused')).toBeVisible();
      await expect(page.getByTestId('admin-connections')).toHaveCount(0);
    }
    expect((await request.get('/api/admin/stats')).status()).toBe(401);
    expect((await request.get('/api/admin/stats', { headers: { Authorization: 'Bearer wrong' } })).status()).toBe(401);
    const granted = await request.get('/api/admin/stats', { headers: { Authorization: `Bearer ${TOKEN}` } });
    expect(granted.status()).toBe(200);
    expect(await granted.json()).toHaveProperty('connections');
  });
});

test('with no admin token configured the page says how to turn the dashboard on', async ({ page, request }) => {
  const response = await page.goto('/admin');
  expect(response?.status()).toBe(404);
  await expect(page.getByTestId('admin-off')).toContainText('TETHER_ADMIN_TOKEN');
  expect((await request.get('/api/admin/stats')).status()).toBe(404);
});
