import { useCallback, useEffect, useLayoutEffect, useRef, useState, type KeyboardEvent, type PointerEvent } from 'react';
import { money } from '../format';
import { STATE_WORDS, type SeatMapModel } from './model';
import { drawSeatMap, fitView, repaintSeats, type View } from './render';
import { Legend } from './Legend';

export interface SeatMapProps {
  model: SeatMapModel;
  /** Bumped by the owner whenever seat states change: the map repaints. */
  revision: number;
  selected: ReadonlySet<number>;
  mine?: ReadonlySet<number>;
  onToggle?(seat: number): void;
  /** Called after every paint with how long drawing took (the bench reads it). */
  onPainted?(ms: number): void;
}

const MIN_SCALE = 0.5;
const MAX_SCALE = 60;
const EMPTY: ReadonlySet<number> = new Set();

/**
 * The seat map: a canvas (one draw for 20,000 seats) with zoom and pan, and one focusable seat
 * on top of it that the arrow keys move (a roving focus): every seat is reachable by keyboard
 * and announced by name, price and state, without 20,000 elements in the page.
 */
export function SeatMap({ model, revision, selected, mine = EMPTY, onToggle, onPainted }: SeatMapProps) {
  const wrapRef = useRef<HTMLDivElement>(null);
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const focusRef = useRef<HTMLButtonElement>(null);
  const [size, setSize] = useState({ width: 0, height: 0 });
  const [view, setView] = useState<View | undefined>(undefined);
  const [focused, setFocused] = useState(0);
  const [hasFocus, setHasFocus] = useState(false);
  const [hovered, setHovered] = useState<number | undefined>(undefined);
  const lastPaint = useRef<{ model: SeatMapModel; view: View; size: { width: number; height: number }; selected: ReadonlySet<number>; mine: ReadonlySet<number>; focused?: number; hovered?: number; dpr: number } | undefined>(undefined);
  const drag = useRef<{ x: number; y: number; tx: number; ty: number; moved: boolean } | undefined>(undefined);

  // As wide as the page allows; as tall as the venue's shape needs (within 70% of the window).
  useLayoutEffect(() => {
    const wrap = wrapRef.current!;
    const { minX, minY, maxX, maxY } = model.bounds;
    const aspect = (maxY - minY + 4) / (maxX - minX + 2);
    const measure = () => {
      const width = wrap.clientWidth;
      // fitView draws seats at most 48 px apart: a small venue needs no more height than that.
      const height = Math.round(Math.max(220, Math.min(window.innerHeight * 0.7, Math.min(width * aspect, 48 * (maxY - minY + 4)) + 40)));
      setSize((s) => (s.width === width && s.height === height ? s : { width, height }));
    };
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(wrap);
    window.addEventListener('resize', measure);
    return () => {
      observer.disconnect();
      window.removeEventListener('resize', measure);
    };
  }, [model]);

  // A new map (or a new size before the first view) fits the whole venue.
  useLayoutEffect(() => {
    if (size.width) setView(fitView(model, size.width, size.height));
    setFocused((f) => (f < model.n ? f : 0));
  }, [model, size.width, size.height]);

  useLayoutEffect(() => {
    const canvas = canvasRef.current;
    if (!canvas || !view || !size.width) return;
    const dpr = window.devicePixelRatio || 1;
    if (canvas.width !== Math.round(size.width * dpr) || canvas.height !== Math.round(size.height * dpr)) {
      canvas.width = Math.round(size.width * dpr);
      canvas.height = Math.round(size.height * dpr);
    }
    const started = performance.now();
    const marks = { selected, mine, focused: hasFocus ? focused : undefined, hovered };
    const ctx = canvas.getContext('2d')!;
    // Only seat states changed since the last paint (a live update): repaint just those seats.
    const last = lastPaint.current;
    const dirty = model.takeDirty();
    const onlyStates = last && last.model === model && last.view === view && last.size === size && last.selected === selected && last.mine === mine && last.focused === marks.focused && last.hovered === hovered && last.dpr === dpr;
    if (!(onlyStates && dirty && repaintSeats(ctx, model, view, size.width, marks, dirty))) drawSeatMap(ctx, model, view, size.width, size.height, marks);
    lastPaint.current = { model, view, size, selected, mine, focused: marks.focused, hovered, dpr };
    onPainted?.(performance.now() - started);
  }, [model, revision, view, size, selected, mine, focused, hasFocus, hovered, onPainted]);

  const zoomAt = useCallback((factor: number, cx: number, cy: number) => {
    setView((v) => {
      if (!v) return v;
      const scale = Math.min(MAX_SCALE, Math.max(MIN_SCALE, v.scale * factor));
      const k = scale / v.scale;
      return { scale, tx: cx - (cx - v.tx) * k, ty: cy - (cy - v.ty) * k };
    });
  }, []);

  useEffect(() => {
    const canvas = canvasRef.current!;
    const onWheel = (e: WheelEvent) => {
      e.preventDefault();
      const rect = canvas.getBoundingClientRect();
      zoomAt(Math.exp(-e.deltaY * 0.0015), e.clientX - rect.left, e.clientY - rect.top);
    };
    canvas.addEventListener('wheel', onWheel, { passive: false });
    return () => canvas.removeEventListener('wheel', onWheel);
  }, [zoomAt]);

  const seatUnder = (e: { clientX: number; clientY: number }) => {
    if (!view) return undefined;
    const rect = canvasRef.current!.getBoundingClientRect();
    return model.seatAt((e.clientX - rect.left - view.tx) / view.scale, (e.clientY - rect.top - view.ty) / view.scale);
  };

  // Two fingers pinch-zoom about their midpoint; one drags; a tap selects.
  const pointers = useRef(new Map<number, { x: number; y: number }>());
  const pinch = useRef<number | undefined>(undefined);
  const spread = () => {
    const [a, b] = [...pointers.current.values()];
    return { dist: Math.hypot(a.x - b.x, a.y - b.y), mx: (a.x + b.x) / 2, my: (a.y + b.y) / 2 };
  };
  const onPointerDown = (e: PointerEvent<HTMLCanvasElement>) => {
    if (!view) return;
    pointers.current.set(e.pointerId, { x: e.clientX, y: e.clientY });
    e.currentTarget.setPointerCapture(e.pointerId);
    if (pointers.current.size === 2) {
      pinch.current = spread().dist;
      drag.current = undefined;
      return;
    }
    drag.current = { x: e.clientX, y: e.clientY, tx: view.tx, ty: view.ty, moved: false };
  };
  const onPointerMove = (e: PointerEvent<HTMLCanvasElement>) => {
    if (pointers.current.has(e.pointerId)) pointers.current.set(e.pointerId, { x: e.clientX, y: e.clientY });
    if (pinch.current !== undefined && pointers.current.size === 2) {
      const { dist, mx, my } = spread();
      const rect = canvasRef.current!.getBoundingClientRect();
      if (pinch.current > 0 && dist > 0) zoomAt(dist / pinch.current, mx - rect.left, my - rect.top);
      pinch.current = dist;
      return;
    }
    const d = drag.current;
    if (d) {
      const dx = e.clientX - d.x;
      const dy = e.clientY - d.y;
      if (d.moved || Math.abs(dx) + Math.abs(dy) > 4) {
        d.moved = true;
        setView((v) => (v ? { ...v, tx: d.tx + dx, ty: d.ty + dy } : v));
        return;
      }
    }
    setHovered(seatUnder(e));
  };
  const onPointerUp = (e: PointerEvent<HTMLCanvasElement>) => {
    pointers.current.delete(e.pointerId);
    if (pinch.current !== undefined) {
      if (pointers.current.size === 0) pinch.current = undefined;
      drag.current = undefined;
      return;
    }
    const d = drag.current;
    drag.current = undefined;
    if (!d || d.moved) return;
    const seat = seatUnder(e);
    if (seat !== undefined) {
      setFocused(seat);
      onToggle?.(seat);
    }
  };

  // Keep the keyboard's seat on screen.
  const reveal = (seat: number) => {
    setView((v) => {
      if (!v) return v;
      const sx = model.x[seat] * v.scale + v.tx;
      const sy = model.y[seat] * v.scale + v.ty;
      const pad = 30;
      let { tx, ty } = v;
      if (sx < pad) tx += pad - sx;
      if (sx > size.width - pad) tx -= sx - (size.width - pad);
      if (sy < pad) ty += pad - sy;
      if (sy > size.height - pad) ty -= sy - (size.height - pad);
      return tx === v.tx && ty === v.ty ? v : { ...v, tx, ty };
    });
  };

  const onKeyDown = (e: KeyboardEvent<HTMLButtonElement>) => {
    if (e.key === '+' || e.key === '=') {
      zoomAt(1.4, size.width / 2, size.height / 2);
      e.preventDefault();
      return;
    }
    if (e.key === '-') {
      zoomAt(1 / 1.4, size.width / 2, size.height / 2);
      e.preventDefault();
      return;
    }
    const next = model.move(focused, e.key);
    if (next !== focused || e.key.startsWith('Arrow') || e.key === 'Home' || e.key === 'End' || e.key.startsWith('Page')) {
      e.preventDefault();
      setFocused(next);
      reveal(next);
    }
  };

  const seatView = (i: number) => {
    if (!view || i >= model.n) return undefined;
    return { left: model.x[i] * view.scale + view.tx, top: model.y[i] * view.scale + view.ty };
  };
  const focusPos = seatView(focused);
  const tipSeat = hovered ?? (hasFocus ? focused : undefined);
  const tipPos = tipSeat !== undefined ? seatView(tipSeat) : undefined;
  const label = model.n ? model.label(focused, { selected: selected.has(focused), mine: mine.has(focused) }) : 'No seats';
  const target = Math.max(24, (view?.scale ?? 10) * 0.9);

  return (
    <div className="seatmap">
      <div className="seatmap-toolbar" role="toolbar" aria-label="Seat map zoom">
        <button type="button" onClick={() => zoomAt(1.4, size.width / 2, size.height / 2)} aria-label="Zoom in">+</button>
        <button type="button" onClick={() => zoomAt(1 / 1.4, size.width / 2, size.height / 2)} aria-label="Zoom out">−</button>
        <button type="button" onClick={() => setView(fitView(model, size.width, size.height))}>Fit</button>
        <span id="seatmap-help" className="hint">Arrow keys move between seats, Page Up/Down between sections, Enter or Space selects, + and − zoom. Drag to pan, scroll to zoom.</span>
      </div>
      <div className="seatmap-canvas" ref={wrapRef} style={{ height: size.height || undefined }} data-seat-count={model.n}>
        <canvas
          ref={canvasRef}
          style={{ width: size.width, height: size.height }}
          aria-hidden="true"
          onPointerDown={onPointerDown}
          onPointerMove={onPointerMove}
          onPointerUp={onPointerUp}
          onPointerLeave={() => setHovered(undefined)}
          onPointerCancel={(e) => {
            pointers.current.delete(e.pointerId);
            if (!pointers.current.size) pinch.current = undefined;
            drag.current = undefined;
          }}
        />
        {focusPos && (
          <button
            ref={focusRef}
            type="button"
            className="seat-focus"
            data-seat-id={model.ids[focused]}
            aria-label={label}
            aria-pressed={selected.has(focused)}
            aria-describedby="seatmap-help"
            style={{ left: focusPos.left - target / 2, top: focusPos.top - target / 2, width: target, height: target }}
            onFocus={() => setHasFocus(true)}
            onBlur={() => setHasFocus(false)}
            onKeyDown={onKeyDown}
            onClick={() => onToggle?.(focused)}
          />
        )}
        {tipPos && tipSeat !== undefined && (
          <div className="seat-tip" role="presentation" aria-hidden="true" style={{ left: Math.min(Math.max(4, tipPos.left + 12), Math.max(4, size.width - 230)), top: Math.max(4, tipPos.top - 52) }}>
            <strong>
              {model.sections[model.section[tipSeat]].name} · row {model.row[tipSeat]} · seat {model.number[tipSeat]}
            </strong>
            <br />
            {money(model.price[tipSeat], model.currency)} · {mine.has(tipSeat) ? 'held by you' : selected.has(tipSeat) ? 'selected' : STATE_WORDS[model.availability(tipSeat)]}
          </div>
        )}
      </div>
      <Legend />
    </div>
  );
}
