// Drawing on a phone: one finger draws, two fingers pan and pinch (and never draw), a pen
// beats the palm resting beside it, and a drawing made on a wide desktop can be reached
// on the phone with "fit". Touch goes through CDP, so the page sees real pointer events.
import { test, expect } from './base';
import { board, drawStroke, expectConverged, newRoom, openBoard, beginStroke } from './helpers';
import { line, openOnPhone, paintedPixels, penStroke, restFinger, touchGesture } from './touch';
import { unpackPoints } from './packed';

const zoom = async (page: import('@playwright/test').Page) => Number(await board(page).getAttribute('data-zoom'));

test('one finger draws a stroke that reaches a desktop peer', async ({ browser }) => {
  const room = newRoom();
  const phone = await openOnPhone(browser, room, 'Pia');
  const desk = await openBoard(browser, room, 'Dev');
  await touchGesture(phone.page, phone.cdp, [line([60, 100], [220, 180])]);
  await expectConverged([phone.page, desk.page], 1);
});

test('two fingers pan and pinch-zoom without drawing anything', async ({ browser }) => {
  const room = newRoom();
  const phone = await openOnPhone(browser, room, 'Pia');
  await expect(board(phone.page)).toHaveAttribute('data-zoom', '1');
  // Pan: both fingers move 80 px to the right together.
  await touchGesture(phone.page, phone.cdp, [line([100, 200], [180, 200]), line([200, 300], [280, 300])]);
  await expect(board(phone.page)).toHaveAttribute('data-zoom', '1');
  // Pinch out: the fingers move apart, the board zooms in.
  await touchGesture(phone.page, phone.cdp, [line([150, 300], [80, 300]), line([230, 300], [300, 300])]);
  await expect.poll(() => zoom(phone.page)).toBeGreaterThan(1.5);
  // Pinch in.
  await touchGesture(phone.page, phone.cdp, [line([60, 300], [160, 300]), line([320, 300], [220, 300])]);
  await expect.poll(() => zoom(phone.page)).toBeLessThan(1.5);
  await expect(board(phone.page)).toHaveAttribute('data-stroke-count', '0');
  await expect(phone.page.getByTestId('connection-status')).toHaveAttribute('data-pending', '0');
  expect(await paintedPixels(phone.page)).toBe(0);
});

test('a pen draws while the palm resting on the screen draws nothing', async ({ browser }) => {
  const room = newRoom();
  const tablet = await openOnPhone(browser, room, 'Tab');
  const desk = await openBoard(browser, room, 'Dev');
  // The palm lands first (it would start a stroke on its own), then the pen writes.
  const palm = await restFinger(tablet.page, tablet.cdp, [300, 600]);
  await palm.move([310, 620]);
  await penStroke(tablet.page, tablet.cdp, line([40, 120], [200, 160]), 0.8);
  await palm.move([320, 640]);
  await palm.lift();
  await expectConverged([tablet.page, desk.page], 1);
  // The one stroke sent is the pen's, with its pressure on every point.
  const added = tablet.sent.filter((frame) => frame.includes('"kind":"addStroke"'));
  expect(added).toHaveLength(1);
  const points = unpackPoints(JSON.parse(added[0]).op.stroke.points);
  expect(points.length).toBeGreaterThan(3);
  for (const point of points) expect(point[2]).toBeCloseTo(0.8, 1);
  expect(Math.max(...points.map((p) => p[1]))).toBeLessThan(200); // nowhere near the palm
});

test('a stroke drawn far right on a desktop is visible on a phone after "fit"', async ({ browser }) => {
  const room = newRoom();
  const phone = await openOnPhone(browser, room, 'Pia');
  const desk = await openBoard(browser, room, 'Dev');
  await desk.page.setViewportSize({ width: 1280, height: 800 });
  await beginStroke(desk.page, [1000, 300], [1200, 350]);
  await desk.page.mouse.up();
  await expectConverged([phone.page, desk.page], 1);
  // Right of the phone's 390 px: not on its screen at 100 %.
  expect(await paintedPixels(phone.page)).toBe(0);
  await phone.page.getByTestId('zoom-fit').click();
  await expect.poll(() => paintedPixels(phone.page)).toBeGreaterThan(50);
  expect(await zoom(phone.page)).toBeLessThanOrEqual(1);
  // A newcomer on a phone opens with the drawing fitted.
  await drawStroke(desk.page, 0);
  await expectConverged([phone.page, desk.page], 2);
  const late = await openOnPhone(browser, room, 'Lou');
  await expect.poll(() => zoom(late.page)).toBeLessThan(1);
  await expect.poll(() => paintedPixels(late.page)).toBeGreaterThan(50);
});

test('the zoom buttons zoom in, out and back to the whole drawing', async ({ browser }) => {
  const room = newRoom();
  const desk = await openBoard(browser, room, 'Dev');
  await drawStroke(desk.page, 0);
  await desk.page.getByTestId('zoom-in').click();
  await expect(board(desk.page)).toHaveAttribute('data-zoom', '1.25');
  await desk.page.getByTestId('zoom-out').click();
  await desk.page.getByTestId('zoom-out').click();
  await expect(board(desk.page)).toHaveAttribute('data-zoom', '0.8');
  await desk.page.keyboard.press('+');
  await expect(board(desk.page)).toHaveAttribute('data-zoom', '1');
  // Strokes drawn zoomed in land where the pointer is, in board units: fit shows them all.
  await desk.page.getByTestId('zoom-in').click();
  await drawStroke(desk.page, 1);
  await desk.page.getByTestId('zoom-fit').click();
  await expect(board(desk.page)).toHaveAttribute('data-zoom', '1');
  await expect(board(desk.page)).toHaveAttribute('data-stroke-count', '2');
});
