// Accessibility of the board page, checked by axe-core in the real browser: every control
// has an accessible name, ARIA is used correctly, and text has enough contrast — on a
// desktop and a phone, in the light and the dark theme. Keyboard: shortcuts pick tools
// and zoom, and focus is visible.
import { test, expect } from './base';
import { violations } from './axe';
import { board, drawStroke, gotoBoard, newRoom, openBoard } from './helpers';
import { PHONE } from './touch';

for (const [name, options] of [
  ['desktop, light', { viewport: { width: 1280, height: 800 }, colorScheme: 'light' as const }],
  ['desktop, dark', { viewport: { width: 1280, height: 800 }, colorScheme: 'dark' as const }],
  ['phone, light', { ...PHONE, colorScheme: 'light' as const }],
  ['phone, dark', { ...PHONE, colorScheme: 'dark' as const }],
]) {
  test(`the board page passes axe (${name})`, async ({ browser }) => {
    const context = await browser.newContext(options as Parameters<typeof browser.newContext>[0]);
    const page = await context.newPage();
    const room = newRoom();
    await gotoBoard(page, room, 'Ann');
    // People in presence colours around (their initials must stay readable); twice of
    // the four runs, to keep the suite quick.
    if (name === 'desktop, light' || name === 'phone, dark') {
      for (const peer of ['Bo', 'Cy', 'Di', 'Ed', 'Flo', 'Gus']) await openBoard(browser, room, peer);
      await expect(page.getByTestId('peer')).toHaveCount(6);
    }
    expect(await violations(page)).toEqual([]);
    // With the popovers open too.
    await page.getByTestId('connection-status').click();
    if ((options as { isMobile?: boolean }).isMobile) await page.getByTestId('style-toggle').click();
    expect(await violations(page)).toEqual([]);
  });
}

for (const colorScheme of ['light', 'dark'] as const) {
  test(`the landing page passes axe (${colorScheme})`, async ({ browser }) => {
    const page = await (await browser.newContext({ colorScheme })).newPage();
    await page.goto('/');
    await expect(page.locator('main')).toHaveAttribute('data-hydrated', 'true');
    expect(await violations(page)).toEqual([]);
  });
}

test('keyboard: shortcuts pick tools and zoom, and focus is visible', async ({ page }) => {
  await gotoBoard(page, newRoom(), 'Ann');
  await drawStroke(page, 0);
  await page.keyboard.press('e');
  await expect(page.getByTestId('eraser')).toHaveAttribute('aria-pressed', 'true');
  await page.keyboard.press('p');
  await expect(page.getByTestId('pen')).toHaveAttribute('aria-pressed', 'true');
  await page.keyboard.press('+');
  await expect(board(page)).toHaveAttribute('data-zoom', '1.25');
  await page.keyboard.press('-');
  await expect(board(page)).toHaveAttribute('data-zoom', '1');
  // Tabbing reaches the toolbar, and the focused control shows an outline.
  await page.keyboard.press('Tab');
  await page.keyboard.press('Tab');
  const outline = await page.evaluate(() => getComputedStyle(document.activeElement!).outlineStyle);
  expect(outline).not.toBe('none');
});
