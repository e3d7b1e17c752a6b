// A board that cannot take more — of people or of drawing — says so and offers a way on:
// the toast's "New board" opens a fresh, empty board where the user is connected at once.
import { test, expect } from './fixtures';
import type { Page } from '@playwright/test';
import { board, drawStroke, gotoBoard, newRoom, status } from './helpers';

/** The "full" toast on `page` opens a new board: another room, empty, connected. */
async function expectNewBoardOffered(page: Page, room: string) {
  const toast = page.locator('[data-testid="toast"][data-kind="full"]');
  await expect(toast).toHaveCount(1);
  await toast.getByTestId('toast-new-board').click();
  await expect(page).toHaveURL(/\/b\/[A-Za-z0-9_-]+$/);
  expect(new URL(page.url()).pathname).not.toBe(`/b/${room}`);
  await expect(page.locator('main')).toHaveAttribute('data-hydrated', 'true');
  await expect(status(page)).toHaveAttribute('data-state', 'connected');
  await expect(board(page)).toHaveAttribute('data-stroke-count', '0');
}

test.describe('a board full of drawing', () => {
  test.use({ serverEnv: { TETHER_MAX_STROKES_PER_BOARD: '1' } });

  test('refuses the next stroke and offers a new board', async ({ page }) => {
    const room = newRoom();
    await gotoBoard(page, room, 'Ann');
    await drawStroke(page, 0);
    await expect(status(page)).toHaveAttribute('data-pending', '0');
    await drawStroke(page, 1);
    await expect(page.locator('[data-testid="toast"][data-kind="full"]')).toContainText('refused');
    await expectNewBoardOffered(page, room);
  });
});

test.describe('a room full of people', () => {
  test.use({ serverEnv: { TETHER_MAX_MEMBERS_PER_ROOM: '1' } });

  test('turns the next one away and offers a new board', async ({ page, browser, server }) => {
    const room = newRoom();
    await gotoBoard(page, room, 'Ann');
    const bob = await (await browser.newContext({ baseURL: server.baseURL })).newPage();
    await bob.goto(`/b/${room}?name=Bob`);
    await expect(status(bob)).toHaveAttribute('data-state', 'failed');
    await expectNewBoardOffered(bob, room);
  });
});
