// The first page: server-rendered HTML arrives, then the WASM hydrates it. Only hydrated
// pages can mint a room id (it comes from crypto.getRandomValues in the WASM), so the
// "New board" navigation proves the WASM is running, not merely that HTML arrived.
import { test, expect } from '@playwright/test';

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

test('a malformed board link says so instead of opening a board', async ({ page }) => {
  await page.goto('/b/not%20valid');
  await expect(page.getByTestId('invalid-room')).toBeVisible();
  await expect(page.getByTestId('board')).toHaveCount(0);
});

test('/healthz answers ok', async ({ request }) => {
  const response = await request.get('/healthz');
  expect(response.status()).toBe(200);
  expect(await response.json()).toMatchObject({ status: 'ok' });
});
