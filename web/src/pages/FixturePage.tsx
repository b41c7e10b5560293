import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { SeatMap } from '../seatmap/SeatMap';
import { fixtureSeats, SeatMapModel } from '../seatmap/model';

declare global {
  interface Window {
    /** The bench's handle: first render time and a timed one-seat repaint. */
    __seatMapBench?: {
      seats: number;
      firstRenderMs: number;
      sinceNavigationMs: number;
      /** One seat changes state: ms to the frame after its repaint, and the canvas work alone. */
      repaint(): Promise<{ frameMs: number; drawMs: number }>;
      /** Every seat drawn again (what zoom and pan cost): the canvas work alone. */
      redraw(): Promise<number>;
    };
  }
}

/**
 * A venue from a generated fixture (/fixture/seat-map?seats=20000): the seat map without the
 * API, for the render bench and for trying a 20,000-seat map before the gateway serves one fast.
 */
export function FixturePage() {
  const params = new URLSearchParams(window.location.search);
  const count = Math.max(1, Math.min(100_000, Number(params.get('seats') ?? 20_000)));
  const started = useRef(performance.now());
  const model = useMemo(() => {
    const perRow = count >= 5000 ? 200 : 30;
    const rows = Math.ceil(count / perRow);
    const sections = [];
    const names = ['Floor', 'Lower tier', 'Upper tier', 'Balcony'];
    let left = rows;
    for (let s = 0; s < names.length && left > 0; s++) {
      const r = s === names.length - 1 ? left : Math.ceil(rows / names.length);
      sections.push({ name: names[s], rows: Math.min(r, left), seatsPerRow: perRow, price: `${89 - s * 20}.00` });
      left -= r;
    }
    const seats = fixtureSeats(sections).slice(0, count);
    seats.forEach((s, i) => (s.availability = i % 7 === 0 ? 'SOLD' : i % 11 === 0 ? 'HELD' : 'AVAILABLE'));
    return new SeatMapModel(seats, 'EUR');
  }, [count]);
  const [revision, setRevision] = useState(0);
  const [selected, setSelected] = useState<ReadonlySet<number>>(new Set());
  const painted = useRef<((ms: number) => void) | undefined>(undefined);
  const first = useRef<number | undefined>(undefined);
  const onPainted = useCallback((ms: number) => {
    painted.current?.(ms);
    painted.current = undefined;
  }, []);

  useEffect(() => {
    requestAnimationFrame(() => {
      // The frame after the first paint: the map is on screen.
      first.current = performance.now() - started.current;
      const sinceNavigation = performance.now();
      let k = 0;
      window.__seatMapBench = {
        seats: model.n,
        firstRenderMs: first.current,
        sinceNavigationMs: sinceNavigation,
        repaint: () =>
          new Promise((resolve) => {
            const t0 = performance.now();
            const seat = (k++ * 7919) % model.n;
            model.setAvailability(seat, model.availability(seat) === 'AVAILABLE' ? 'HELD' : 'AVAILABLE');
            painted.current = (drawMs) => requestAnimationFrame(() => resolve({ frameMs: performance.now() - t0, drawMs }));
            setRevision((r) => r + 1);
          }),
        redraw: () =>
          new Promise<number>((resolve) => {
            painted.current = resolve;
            setSelected(new Set()); // a new selection object: the whole map is drawn again
          }),
      };
    });
  }, [model]);

  return (
    <main className="page event" id="main">
      <h1>Seat map fixture: {model.n.toLocaleString('en')} seats</h1>
      <section aria-label="Seat map" className="map-area">
        <SeatMap model={model} revision={revision} selected={selected} onPainted={onPainted} />
      </section>
    </main>
  );
}
