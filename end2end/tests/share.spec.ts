// Sharing and keeping a board: the link is copied (without the personal ?name=), and the
// drawing downloads as a real PNG and a real SVG holding every stroke.
import { test, expect } from './base';
import { readFileSync } from 'node:fs';
import { beginStroke, drawStroke, expectConverged, gotoBoard, newRoom, openBoard } from './helpers';
import { openOnPhone } from './touch';

test('copy link puts the board address on the clipboard and says so', async ({ browser, baseURL }) => {
  const room = newRoom();
  const context = await browser.newContext({ permissions: ['clipboard-read', 'clipboard-write'] });
  const page = await context.newPage();
  await gotoBoard(page, room, 'Ann');
  await page.getByTestId('copy-link').click();
  await expect(page.locator('[data-testid="toast"][data-kind="info"]')).toContainText('Link copied');
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(`${baseURL}/b/${room}`);
});

test('the board downloads as PNG and as SVG with every stroke', async ({ browser }) => {
  const room = newRoom();
  const a = await openBoard(browser, room, 'Ann');
  await drawStroke(a.page, 0);
  await beginStroke(a.page, [600, 300], [700, 420]);
  await a.page.mouse.up();
  await expectConverged([a.page], 2);

  const png = a.page.waitForEvent('download');
  await a.page.getByTestId('export-png').click();
  const pngFile = await png;
  expect(pngFile.suggestedFilename()).toBe(`${room}.png`);
  const bytes = readFileSync((await pngFile.path())!);
  expect(bytes.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  // IHDR: the picture frames the drawing (≈ 700 × 420 board units, at 2 px per unit).
  const width = bytes.readUInt32BE(16);
  const height = bytes.readUInt32BE(20);
  expect(width).toBeGreaterThan(2 * 600);
  expect(height).toBeGreaterThan(2 * 350);

  const svg = a.page.waitForEvent('download');
  await a.page.getByTestId('export-svg').click();
  const svgFile = await svg;
  expect(svgFile.suggestedFilename()).toBe(`${room}.svg`);
  const text = readFileSync((await svgFile.path())!, 'utf8');
  expect(text.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
  expect(text.match(/<path /g)).toHaveLength(2);
});

test('on a phone the share buttons are one tap away', async ({ browser }) => {
  const phone = await openOnPhone(browser, newRoom(), 'Pia');
  await expect(phone.page.getByTestId('export-svg')).toBeHidden();
  await phone.page.getByTestId('share-toggle').click();
  await expect(phone.page.getByTestId('export-svg')).toBeVisible();
  const overflow = await phone.page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(overflow).toBeLessThanOrEqual(0);
});
