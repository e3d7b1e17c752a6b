// A switchable fault layer for a page's connections, built on page.routeWebSocket (which
// only affects sockets opened after it is installed, so install it before the page
// connects) and page.route. Modes: pass frames through, delay them, black-hole them
// (socket stays open, nothing flows: a dead-but-open link), refuse new sockets (as a proxy
// that blocks WebSockets: the polling fallback still works), or `offline`: refuse sockets
// and fail the polling transport too, while pages and assets still load.
import type { Page, WebSocketRoute } from '@playwright/test';

export type Mode =
  | { kind: 'pass' }
  | { kind: 'delay'; ms: number }
  | { kind: 'blackhole' }
  | { kind: 'refuse' }
  | { kind: 'offline' };

/** The close to pass on to the server side. That side is a real WebSocket in the page
 *  (Playwright's `connectToServer` opens it there), whose `close()` throws for any code
 *  but 1000 and 3000–4999: a 1011 there would leave the link open, answering the server's
 *  pings, for as long as the page lives. Other codes become 4000 + their last three digits. */
export function closeForServer(code: number | undefined, reason: string | undefined) {
  if (code === undefined || code === 1000 || (code >= 3000 && code <= 4999)) return { code, reason };
  return { code: 4000 + (code % 1000), reason };
}

export class NetworkControl {
  mode: Mode = { kind: 'pass' };
  /** Sockets opened through the route so far. */
  opened = 0;
  /** Bytes the page sent over its sockets so far. */
  bytesUp = 0;
  /** Open sockets: the page side and its server side. */
  private live = new Map<WebSocketRoute, WebSocketRoute>();

  static async install(page: Page): Promise<NetworkControl> {
    const control = new NetworkControl();
    // Every WebSocket of the page, the upgrade probe included (a proxy blocks them all).
    await page.routeWebSocket(/.*/, (ws) => control.handle(ws));
    await page.route(/\/api\/poll\/|\/healthz/, (route) =>
      control.mode.kind === 'offline' ? route.abort('internetdisconnected') : route.continue(),
    );
    return control;
  }

  private handle(ws: WebSocketRoute) {
    this.opened++;
    if (this.mode.kind === 'refuse' || this.mode.kind === 'offline') {
      ws.close({ code: 1011, reason: 'refused by test' }).catch(() => {});
      return;
    }
    const server = ws.connectToServer();
    this.live.set(ws, server);
    const forward = (send: () => void) => {
      const mode = this.mode;
      if (mode.kind === 'blackhole' || mode.kind === 'refuse' || mode.kind === 'offline') return;
      if (mode.kind === 'delay') setTimeout(send, mode.ms);
      else send();
    };
    ws.onMessage((message) => {
      this.bytesUp += typeof message === 'string' ? Buffer.byteLength(message) : message.length;
      forward(() => server.send(message));
    });
    server.onMessage((message) => forward(() => ws.send(message)));
    // Setting onClose turns off Playwright's own forwarding of closes: forward them here.
    ws.onClose((code, reason) => {
      this.live.delete(ws);
      server.close(closeForServer(code, reason)).catch(() => {});
    });
    server.onClose((code, reason) => {
      this.live.delete(ws);
      ws.close({ code, reason }).catch(() => {});
    });
  }

  /** Cuts every open socket: the page and the server both see it close. */
  async cut() {
    const sockets = [...this.live];
    this.live.clear();
    await Promise.all(
      sockets.flatMap(([page, server]) => [
        page.close({ code: 1011, reason: 'cut by test' }).catch(() => {}),
        server.close(closeForServer(1011, 'cut by test')).catch(() => {}),
      ]),
    );
  }
}
