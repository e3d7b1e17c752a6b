// First load on a slow phone: a cold Chromium on an emulated "Slow 3G" link (DevTools'
// preset: 2 s round trip, 50 kB/s each way, through CDP) with a 4× slower CPU opens a board
// holding a few strokes. Measured in the page itself: first contentful paint (the
// server-rendered board) and time to interactive (the WASM hydrated: `data-hydrated`
// turns "true"), both from navigation start; and the bytes the WASM took on the wire.
// Prints p50/p95 of RUNS samples as one JSON line for scripts/bench-browser.sh.
import { test } from '../tests/fixtures';
import { drawStroke, expectConverged, openBoard, newRoom } from '../tests/helpers';
import { PHONE } from '../tests/touch';

const RUNS = Number(process.env.BENCH_RUNS ?? 5);

test('first load of a board on a slow 3G phone', async ({ browser, server }) => {
  test.setTimeout(RUNS * 120_000);
  const room = newRoom();
  const author = await openBoard(browser, room, 'Ann', server.baseURL);
  for (let i = 0; i < 5; i++) await drawStroke(author.page, i);
  await expectConverged([author.page], 5);

  const paints: number[] = [];
  const interactive: number[] = [];
  let wasmWireBytes = 0;
  let wasmBytes = 0;
  for (let run = 0; run < RUNS; run++) {
    const context = await browser.newContext({ ...PHONE, baseURL: server.baseURL });
    const page = await context.newPage();
    // Stamp the moment hydration finishes, from inside the page.
    await page.addInitScript(() => {
      new MutationObserver((_, observer) => {
        if (document.querySelector('main')?.getAttribute('data-hydrated') === 'true') {
          (window as unknown as { tetherInteractive: number }).tetherInteractive = performance.now();
          observer.disconnect();
        }
      }).observe(document, { attributes: true, subtree: true, attributeFilter: ['data-hydrated'] });
    });
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
    await cdp.send('Network.emulateNetworkConditions', {
      offline: false,
      latency: 2000,
      downloadThroughput: 50_000,
      uploadThroughput: 50_000,
    });
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 });
    await page.goto(`/b/${room}?name=Pia`, { timeout: 120_000 });
    await page.waitForFunction(() => (window as unknown as { tetherInteractive?: number }).tetherInteractive, null, {
      timeout: 120_000,
    });
    const measured = await page.evaluate(() => {
      const fcp = performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? NaN;
      const wasm = performance.getEntriesByType('resource').find((e) => e.name.endsWith('.wasm')) as PerformanceResourceTiming;
      return {
        fcp,
        tti: (window as unknown as { tetherInteractive: number }).tetherInteractive,
        wire: wasm?.transferSize ?? 0,
        body: wasm?.decodedBodySize ?? 0,
      };
    });
    paints.push(Math.round(measured.fcp));
    interactive.push(Math.round(measured.tti));
    wasmWireBytes = measured.wire;
    wasmBytes = measured.body;
    await context.close();
  }
  const stats = (samples: number[]) => {
    const sorted = [...samples].sort((x, y) => x - y);
    const pick = (p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
    return { p50_ms: pick(50), p95_ms: pick(95) };
  };
  console.log(
    `BENCH ${JSON.stringify({
      bench: 'first-load-slow-3g',
      runs: RUNS,
      first_paint: stats(paints),
      interactive: stats(interactive),
      wasm_bytes: wasmBytes,
      wasm_wire_bytes: wasmWireBytes,
      samples_interactive: interactive,
    })}`,
  );
});
