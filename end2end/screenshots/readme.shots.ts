// Takes the README's screenshots from the real app: the board on a desktop and on a
// phone (the same drawing, fitted), and the connection chip in each state a user meets.
// Written to docs/images/; run by scripts/screenshots.sh.
import { test, expect, type Page } from '@playwright/test';
import * as path from 'node:path';
import { board, gotoBoard, newRoom, status } from '../tests/helpers';
import { NetworkControl } from '../tests/network';
import { openOnPhone, PHONE } from '../tests/touch';

const images = path.resolve(__dirname, '../../docs/images');
const DESKTOP = { viewport: { width: 1280, height: 720 } };

/** Draws a polyline with the mouse in the given colour and width. */
async function draw(page: Page, color: string, width: number, points: Array<[number, number]>) {
  await page.locator(`[data-testid="color"][data-color="${color}"]`).click();
  await page.locator(`[data-testid="width"][data-width="${width}"]`).click();
  const box = (await board(page).boundingBox())!;
  await page.mouse.move(box.x + points[0][0], box.y + points[0][1]);
  await page.mouse.down();
  for (const [x, y] of points.slice(1)) await page.mouse.move(box.x + x, box.y + y, { steps: 2 });
  await page.mouse.up();
}

const wave = (x0: number, y0: number, length: number, height: number): Array<[number, number]> =>
  Array.from({ length: 40 }, (_, i) => [x0 + (length * i) / 39, y0 + height * Math.sin((i / 39) * Math.PI * 2)]);
const circle = (cx: number, cy: number, r: number): Array<[number, number]> =>
  Array.from({ length: 48 }, (_, i) => [cx + r * Math.cos((i / 47) * Math.PI * 2), cy + r * Math.sin((i / 47) * Math.PI * 2)]);

test('README screenshots', async ({ browser }) => {
  const room = newRoom();
  const ann = await browser.newContext(DESKTOP);
  const annPage = await ann.newPage();
  const net = await NetworkControl.install(annPage);
  await gotoBoard(annPage, room, 'Ann');
  const ben = await browser.newContext(DESKTOP);
  const benPage = await ben.newPage();
  await gotoBoard(benPage, room, 'Ben');

  await draw(annPage, '#3b82f6', 8, wave(80, 200, 520, 70));
  await draw(annPage, '#ef4444', 4, circle(300, 420, 90));
  await draw(benPage, '#10b981', 16, wave(620, 330, 480, -90));
  await draw(benPage, '#8b5cf6', 4, circle(980, 180, 70));
  await draw(benPage, '#f59e0b', 8, [[140, 560], [420, 600], [700, 560], [1000, 600], [1180, 560]]);
  await expect(board(annPage)).toHaveAttribute('data-stroke-count', '5');
  await expect(status(annPage)).toHaveAttribute('data-pending', '0');
  await expect(board(benPage)).toHaveAttribute('data-stroke-count', '5');
  await annPage.screenshot({ path: path.join(images, 'board-desktop.png') });

  const phone = await openOnPhone(browser, room, 'Pia', PHONE);
  await expect(board(phone.page)).toHaveAttribute('data-stroke-count', '5');
  await phone.page.getByTestId('zoom-fit').click();
  await phone.page.screenshot({ path: path.join(images, 'board-phone.png') });

  // The chip in each state, as the user sees it.
  const chip = annPage.locator('.board-corner .connection');
  const shoot = async (state: string) => {
    await expect(status(annPage)).toHaveAttribute('data-state', state);
    await chip.screenshot({ path: path.join(images, `chip-${state}.png`) });
  };
  await shoot('connected');
  net.mode = { kind: 'offline' };
  await net.cut();
  await shoot('reconnecting');
  net.mode = { kind: 'refuse' };
  await annPage.getByTestId('retry-now').click();
  await shoot('degraded');
  await ann.setOffline(true);
  await shoot('offline');
});
