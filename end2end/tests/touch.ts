// Touch and pen input the way a phone or tablet sends it: through the Chrome DevTools
// Protocol (`Input.dispatchTouchEvent` for fingers, `Input.dispatchMouseEvent` with
// `pointerType: 'pen'` for a stylus), so the page gets real pointer events with their own
// pointer ids, types and pressure.
import { type Browser, type BrowserContextOptions, type CDPSession, type Page } from '@playwright/test';
import { board, gotoBoard, type Client } from './helpers';

/** A phone: 390×844 CSS pixels, mobile viewport, touch screen. */
export const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 };

export interface TouchClient extends Client {
  cdp: CDPSession;
  /** Every WebSocket frame the page sent, in order. */
  sent: string[];
}

/** Opens a board on a phone (or any context options) with a CDP session for touch input. */
export async function openOnPhone(
  browser: Browser,
  room: string,
  name: string,
  options: BrowserContextOptions = PHONE,
): Promise<TouchClient> {
  const context = await browser.newContext(options);
  const page = await context.newPage();
  const sent: string[] = [];
  page.on('websocket', (ws) => ws.on('framesent', (frame) => sent.push(String(frame.payload))));
  await gotoBoard(page, room, name);
  const cdp = await context.newCDPSession(page);
  return { context, page, cdp, sent };
}

type Xy = [number, number];

/** Board-relative points to page coordinates. */
async function onBoard(page: Page, points: Xy[]): Promise<Xy[]> {
  const box = (await board(page).boundingBox())!;
  return points.map(([x, y]) => [box.x + x, box.y + y]);
}

/** Fingers moving together: `paths[f][i]` is finger f's i-th position (board-relative).
 *  Every finger goes down at its first position, moves through the rest, then lifts. */
export async function touchGesture(page: Page, cdp: CDPSession, paths: Xy[][]) {
  const absolute = await Promise.all(paths.map((path) => onBoard(page, path)));
  const at = (i: number) =>
    absolute.map((path, id) => ({ x: path[Math.min(i, path.length - 1)][0], y: path[Math.min(i, path.length - 1)][1], id }));
  // Fingers land one after the other, as real fingers do.
  for (let f = 1; f <= absolute.length; f++) {
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: at(0).slice(0, f) });
  }
  const steps = Math.max(...absolute.map((p) => p.length));
  for (let i = 1; i < steps; i++) {
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: at(i) });
  }
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
}

/** A straight line of `steps` points. */
export function line(from: Xy, to: Xy, steps = 8): Xy[] {
  return Array.from({ length: steps + 1 }, (_, i) => [from[0] + ((to[0] - from[0]) * i) / steps, from[1] + ((to[1] - from[1]) * i) / steps]);
}

/** A finger (or palm) resting at `at` until `lift` is called. */
export async function restFinger(page: Page, cdp: CDPSession, at: Xy) {
  const [[x, y]] = await onBoard(page, [at]);
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: [{ x, y, id: 7 }] });
  return {
    move: async (to: Xy) => {
      const [[mx, my]] = await onBoard(page, [to]);
      await cdp.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: [{ x: mx, y: my, id: 7 }] });
    },
    lift: () => cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] }),
  };
}

/** A pen stroke through `path` (board-relative) with the given pressure. */
export async function penStroke(page: Page, cdp: CDPSession, path: Xy[], pressure = 0.7) {
  const points = await onBoard(page, path);
  const pen = { pointerType: 'pen' as const, button: 'left' as const, force: pressure };
  await cdp.send('Input.dispatchMouseEvent', { type: 'mousePressed', x: points[0][0], y: points[0][1], clickCount: 1, buttons: 1, ...pen });
  for (const [x, y] of points.slice(1)) {
    await cdp.send('Input.dispatchMouseEvent', { type: 'mouseMoved', x, y, buttons: 1, ...pen });
  }
  const [x, y] = points[points.length - 1];
  await cdp.send('Input.dispatchMouseEvent', { type: 'mouseReleased', x, y, clickCount: 1, buttons: 0, ...pen });
}

/** How many of the canvas' pixels are painted (not white, not transparent). */
export function paintedPixels(page: Page): Promise<number> {
  return board(page).locator('canvas').evaluate((canvas: HTMLCanvasElement) => {
    const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
    let painted = 0;
    for (let i = 0; i < data.length; i += 4) {
      if (data[i + 3] > 0 && (data[i] < 200 || data[i + 1] < 200 || data[i + 2] < 200)) painted++;
    }
    return painted;
  });
}
