// Where things are on desktop and phone screens: the connection chip stays in the
// top-right corner of the board however many people join, its popover stays on screen,
// the phone's toolbar is one row that leaves the board most of the screen, and nothing
// scrolls sideways on a 360 px phone.
import { test, expect } from './base';
import type { Browser, Page } from '@playwright/test';
import { board, newRoom, openBoard, status } from './helpers';
import { openOnPhone, PHONE } from './touch';

const DESKTOP = { viewport: { width: 1280, height: 800 } };

async function chipBox(page: Page) {
  const box = (await status(page).boundingBox())!;
  const viewport = page.viewportSize()!;
  return { box, viewport };
}

async function expectChipTopRight(page: Page) {
  const { box, viewport } = await chipBox(page);
  expect(box.x + box.width).toBeLessThanOrEqual(viewport.width);
  expect(box.x + box.width).toBeGreaterThan(viewport.width - 80);
  expect(box.x).toBeGreaterThanOrEqual(viewport.width / 2 - 40);
  expect(box.y).toBeGreaterThanOrEqual(0);
  expect(box.y + box.height).toBeLessThan(Math.min(160, viewport.height / 4));
  return box;
}

async function joinPeers(browser: Browser, room: string, count: number) {
  for (let i = 0; i < count; i++) await openBoard(browser, room, `Peer ${i + 1}`);
}

for (const [device, options] of [['desktop', DESKTOP], ['phone', PHONE]] as const) {
  test(`${device}: the chip sits top-right and stays put as six people join`, async ({ browser }) => {
    const room = newRoom();
    const me = await openOnPhone(browser, room, 'Me', options);
    const alone = await expectChipTopRight(me.page);
    await joinPeers(browser, room, 6);
    await expect(me.page.getByTestId('peer')).toHaveCount(6);
    await expect(me.page.getByTestId('presence-count')).toHaveText('7');
    const crowded = await expectChipTopRight(me.page);
    expect(crowded).toEqual(alone);
    // Its popover opens inside the viewport.
    await status(me.page).click();
    const details = (await me.page.getByTestId('connection-details').boundingBox())!;
    const viewport = me.page.viewportSize()!;
    expect(details.x).toBeGreaterThanOrEqual(0);
    expect(details.x + details.width).toBeLessThanOrEqual(viewport.width);
    expect(details.y + details.height).toBeLessThanOrEqual(viewport.height);
  });
}

test('phone: a one-row toolbar leaves the board at least 75% of the screen', async ({ browser }) => {
  const phone = await openOnPhone(browser, newRoom(), 'Pia');
  const viewport = phone.page.viewportSize()!;
  const boardBox = (await board(phone.page).boundingBox())!;
  expect(boardBox.height).toBeGreaterThanOrEqual(0.75 * viewport.height);
  const toolbar = (await phone.page.getByRole('toolbar', { name: 'Drawing tools' }).boundingBox())!;
  expect(toolbar.height).toBeLessThan(60);
  // Colours and widths are one tap away, and picking one closes the popover.
  await phone.page.getByTestId('style-toggle').click();
  const red = phone.page.locator('[data-testid="color"][data-color="#ef4444"]');
  await expect(red).toBeVisible();
  const redBox = (await red.boundingBox())!;
  expect(redBox.x + redBox.width).toBeLessThanOrEqual(viewport.width);
  await red.click();
  await expect(red).toBeHidden();
  await expect(red).toHaveAttribute('aria-pressed', 'true');
});

test('a 360 px phone never scrolls sideways', async ({ browser }) => {
  const room = newRoom();
  const narrow = await openOnPhone(browser, room, 'A name long enough to be trouble', {
    ...PHONE,
    viewport: { width: 360, height: 740 },
  });
  await joinPeers(browser, room, 3);
  await expect(narrow.page.getByTestId('peer')).toHaveCount(3);
  await status(narrow.page).click();
  const overflow = await narrow.page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(overflow).toBeLessThanOrEqual(0);
});

test('the chip announces its state to screen readers', async ({ browser }) => {
  const me = await openOnPhone(browser, newRoom(), 'Me', DESKTOP);
  const announcement = me.page.getByRole('status').filter({ hasText: 'Connection' });
  await expect(announcement).toHaveAttribute('aria-live', 'polite');
  await expect(announcement).toHaveText('Connection: Connected');
});

test('avatars show the first letter of each name upper-cased, accented ones too', async ({ browser }) => {
  const room = newRoom();
  const ann = await openBoard(browser, room, 'ann');
  await openBoard(browser, room, 'élodie');
  await openBoard(browser, room, 'Øystein');
  const avatar = (name: string) =>
    ann.page.locator(`[data-testid="peer"][data-peer-name="${name}"] .avatar`);
  await expect(avatar('élodie')).toHaveText('É');
  await expect(avatar('Øystein')).toHaveText('Ø');
});
