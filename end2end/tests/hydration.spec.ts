// The first page: server-rendered HTML arrives, then the WASM hydrates it. Only hydrated
// pages can mint a room id (it comes from crypto.getRandomValues in the WASM), so the
// "New board" navigation proves the WASM is running, not merely that HTML arrived.
import { test, expect } from './base';
import { board, drawStroke, expectConverged, newRoom, openBoard, status } from './helpers';

test('the landing page is server-rendered before any script runs', async ({ request }) => {
  const response = await request.get('/');
  expect(response.status()).toBe(200);
  const html = await response.text();
  expect(html).toContain('data-testid="new-board"');
  expect(html).toContain('/pkg/tether.js');
});

test('the landing page hydrates and "New board" opens a fresh unguessable room', async ({ page }) => {
  await page.goto('/');
  await expect(page.locator('main')).toHaveAttribute('data-hydrated', 'true');

  await page.getByTestId('new-board').click();
  await expect(page).toHaveURL(/\/b\/[0-9a-f]{32}$/);
  const room = new URL(page.url()).pathname.split('/').pop()!;
  await expect(page.getByTestId('room-name')).toHaveText(room);
  await expect(page.getByTestId('board')).toBeVisible();

  // A second board is a different room.
  await page.goto('/');
  await expect(page.locator('main')).toHaveAttribute('data-hydrated', 'true');
  await page.getByTestId('new-board').click();
  await expect(page).toHaveURL(/\/b\/[0-9a-f]{32}$/);
  expect(new URL(page.url()).pathname.split('/').pop()).not.toBe(room);
});

test('a board link is server-rendered and hydrates', async ({ page }) => {
  await page.goto('/b/team-sketch_1');
  await expect(page.locator('main')).toHaveAttribute('data-hydrated', 'true');
  await expect(page.getByTestId('room-name')).toHaveText('team-sketch_1');
});

test('the server-rendered board shows until the bundle arrives, then the app takes its place once, leaving other nodes', async ({ browser }) => {
  const room = newRoom();
  const a = await openBoard(browser, room, 'Alice');
  await drawStroke(a.page, 0);
  await drawStroke(a.page, 1);
  await expectConverged([a.page], 2);

  // Hold the bundle back: what shows meanwhile is the server's page, strokes included.
  const page = await (await browser.newContext()).newPage();
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  await page.route('**/pkg/tether.wasm', async (route) => {
    await held;
    await route.continue();
  });
  await page.goto(`/b/${room}?name=Ben`);
  await expect(page.locator('main')).toHaveAttribute('data-hydrated', 'false');
  await expect(board(page)).toHaveAttribute('data-stroke-count', '2');
  await expect(page.getByTestId('room-name')).toHaveText(room);
  // Something else puts a node in the page meanwhile (a browser extension's overlay).
  await page.evaluate(() => {
    const overlay = document.createElement('div');
    overlay.id = 'extension-overlay';
    document.body.append(overlay);
  });

  release();
  await expect(page.locator('main')).toHaveAttribute('data-hydrated', 'true');
  // One page, not the server's and the browser's side by side, and it kept the strokes
  // the server embedded.
  await expect(page.locator('main')).toHaveCount(1);
  await expect(page.locator('#board-snapshot')).toHaveCount(1);
  await expect(page.getByTestId('board')).toHaveCount(1);
  await expect(board(page)).toHaveAttribute('data-stroke-count', '2');
  await expect(status(page)).toHaveAttribute('data-state', 'connected');
  // Only the server's nodes were replaced.
  await expect(page.locator('#extension-overlay')).toHaveCount(1);
});

test('a malformed board link says so instead of opening a board', async ({ page }) => {
  await page.goto('/b/not%20valid');
  await expect(page.getByTestId('invalid-room')).toBeVisible();
  await expect(page.getByTestId('board')).toHaveCount(0);
});

test('boards load only the board bundle and the dashboard only its own', async ({ page }) => {
  const wasm: string[] = [];
  page.on('request', (request) => {
    const path = new URL(request.url()).pathname;
    if (path.endsWith('.wasm')) wasm.push(path);
  });
  await page.goto('/b/bundle-check');
  await expect(page.locator('main')).toHaveAttribute('data-hydrated', 'true');
  expect(wasm).toEqual(['/pkg/tether.wasm']);

  wasm.length = 0;
  await page.goto('/admin');
  await expect(page.locator('main')).toHaveAttribute('data-hydrated', 'true');
  expect(wasm).toEqual(['/pkg/tether-admin.wasm']);
});

test('/healthz answers ok', async ({ request }) => {
  const response = await request.get('/healthz');
  expect(response.status()).toBe(200);
  expect(await response.json()).toMatchObject({ status: 'ok' });
});

test('the Content-Security-Policy blocks nothing the app itself does', async ({ page }) => {
  // Chromium reports every blocked script, style, frame or connection as a
  // securitypolicyviolation event (and a console error).
  await page.addInitScript(() => {
    (window as any).__cspViolations = [];
    document.addEventListener('securitypolicyviolation', (e) =>
      (window as any).__cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`),
    );
  });
  const consoleErrors: string[] = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error' && /Content Security Policy/i.test(msg.text())) consoleErrors.push(msg.text());
  });
  const response = await page.goto(`/b/${newRoom()}`);
  expect(response!.headers()['content-security-policy']).toContain("frame-ancestors 'none'");
  await expect(page.locator('main')).toHaveAttribute('data-hydrated', 'true');
  await expect(page.getByTestId('connection-status')).toHaveAttribute('data-state', 'connected');
  // Draw, so the canvas, the socket and the toolbar all run under the policy.
  const box = (await page.getByTestId('board').boundingBox())!;
  await page.mouse.move(box.x + 40, box.y + 40);
  await page.mouse.down();
  await page.mouse.move(box.x + 120, box.y + 60, { steps: 6 });
  await page.mouse.up();
  await expect(page.getByTestId('board')).toHaveAttribute('data-stroke-count', '1');
  await expect(page.getByTestId('connection-status')).toHaveAttribute('data-pending', '0');
  expect(await page.evaluate(() => (window as any).__cspViolations)).toEqual([]);
  expect(consoleErrors).toEqual([]);
});
