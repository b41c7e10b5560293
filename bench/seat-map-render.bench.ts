import { startWebServer } from '@eventix/web';
import fs from 'node:fs';
import { CHROMIUM_PATH, launchChromium } from '@eventix/testing';
import { report, type ReportRow } from './harness';

/**
 * The fan app's seat map in headless Chromium (Debian's, /usr/bin/chromium): first render and a
 * one-seat repaint for 600 and 20,000 seats, drawn from the app's generated fixture
 * (/fixture/seat-map?seats=N), medians of several page loads. Targets at 20,000 seats: first
 * render < 1 s, repaint < 50 ms.
 *   first render  = from the fixture page's mount (seat data in hand) to the frame after the
 *                   first paint (model build + layout + canvas draw)
 *   since nav     = from navigation start (HTML, JS parse, React start) to that same frame
 *   repaint       = one seat changes state → the frame after its repaint (and the canvas work
 *                   alone: only the changed seat is drawn again)
 *   whole-map redraw = the canvas work of drawing every seat again (zoom, pan, selection)
 */
const SIZES = [600, 20_000];
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const REPAINTS = 10;

interface BenchHandle {
  seats: number;
  firstRenderMs: number;
  sinceNavigationMs: number;
  repaint(): Promise<{ frameMs: number; drawMs: number }>;
  redraw(): Promise<number>;
}

const median = (values: number[]) => {
  const sorted = [...values].sort((x, y) => x - y);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

async function main(): Promise<void> {
  // Benches are not CI: without Chromium this one says why and steps aside.
  if (!fs.existsSync(CHROMIUM_PATH)) {
    console.log(`seat-map-render skipped: no Chromium at ${CHROMIUM_PATH} (apt-get install chromium, or set CHROMIUM_PATH)`);
    return;
  }
  const rows: ReportRow[] = [];
  const web = await startWebServer({ port: 0, config: { gatewayUrl: 'http://127.0.0.1:9/graphql' } });
  const browser = await launchChromium();
  const lines: string[] = [];
  try {
    for (const seats of SIZES) {
      const first: number[] = [];
      const nav: number[] = [];
      const repaint: number[] = [];
      const draw: number[] = [];
      const full: number[] = [];
      for (let run = 0; run < RUNS; run++) {
        const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
        const page = await context.newPage();
        await page.goto(`${web.url}fixture/seat-map?seats=${seats}`);
        await page.waitForFunction(() => Boolean((globalThis as unknown as { __seatMapBench?: BenchHandle }).__seatMapBench), undefined, { timeout: 30_000 });
        const result = await page.evaluate(async (repaints) => {
          const handle = (globalThis as unknown as { __seatMapBench: BenchHandle }).__seatMapBench;
          const times: number[] = [];
          const draws: number[] = [];
          const full: number[] = [];
          for (let i = 0; i < repaints; i++) {
            const { frameMs, drawMs } = await handle.repaint();
            times.push(frameMs);
            draws.push(drawMs);
            full.push(await handle.redraw());
          }
          return { first: handle.firstRenderMs, nav: handle.sinceNavigationMs, seats: handle.seats, times, draws, full };
        }, REPAINTS);
        if (result.seats !== seats) throw new Error(`fixture has ${result.seats} seats, expected ${seats}`);
        first.push(result.first);
        nav.push(result.nav);
        repaint.push(median(result.times));
        draw.push(median(result.draws));
        full.push(median(result.full));
        await context.close();
      }
      if (seats === 20_000) {
        rows.push({ target: 'seat map render', metric: 'first render, 20,000 seats', ours: median(first), unit: 'ms', goal: '< 1000 ms', met: median(first) < 1000 });
        rows.push({ target: 'seat map render', metric: 'one-seat repaint, 20,000 seats', ours: median(repaint), unit: 'ms', goal: '< 50 ms', met: median(repaint) < 50 });
      }
      lines.push(
        `${String(seats).padStart(6)} seats: first render ${median(first).toFixed(0)} ms (since navigation ${median(nav).toFixed(0)} ms), repaint ${median(repaint).toFixed(1)} ms (canvas work ${median(draw).toFixed(2)} ms), whole-map redraw ${median(full).toFixed(1)} ms  [median of ${RUNS} loads; per load the median of ${REPAINTS}]`,
      );
    }
  } finally {
    await browser.close();
    await web.stop();
  }
  console.log(`seat map render, headless Chromium (${CHROMIUM_PATH}), 1280x900 canvas:`);
  for (const line of lines) console.log(`  ${line}`);
  console.log('  targets at 20000 seats: first render < 1000 ms, repaint < 50 ms');
  report('seat-map-render', rows);
}

main().catch((error: Error) => {
  console.error(error.stack ?? error.message);
  process.exit(1);
});
