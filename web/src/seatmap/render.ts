import type { SeatMapModel } from './model';

/** Map units → CSS pixels: screen = world * scale + (tx, ty). */
export interface View {
  scale: number;
  tx: number;
  ty: number;
}

/**
 * Colour-blind-safe palette (Okabe–Ito) and a distinct shape per state, so colour is never the
 * only cue: available = blue circle, held = vermillion square, sold = grey cross, not on sale =
 * hollow ring, selected/yours = yellow dot in a black ring.
 */
export const STYLE = {
  AVAILABLE: '#0072B2',
  HELD: '#D55E00',
  SOLD: '#595959',
  NOT_ON_SALE: '#8c8c8c',
  SELECTED: '#F0E442',
  RING: '#000000',
  FOCUS: '#000000',
  LABEL: '#1a1a1a',
  BACKGROUND: '#ffffff',
} as const;

export interface Marks {
  selected: ReadonlySet<number>;
  mine: ReadonlySet<number>;
  focused?: number;
  hovered?: number;
}

/** Draws the whole map: one path per state, so 20,000 seats are a handful of fill calls. */
export function drawSeatMap(ctx: CanvasRenderingContext2D, model: SeatMapModel, view: View, width: number, height: number, marks: Marks): void {
  const dpr = ctx.canvas.width / Math.max(1, width);
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.fillStyle = STYLE.BACKGROUND;
  ctx.fillRect(0, 0, width, height);
  const { scale, tx, ty } = view;
  const r = Math.max(0.6, scale * 0.4);
  const margin = r + 2;
  const available = new Path2D();
  const held = new Path2D();
  const sold = new Path2D();
  const off = new Path2D();
  const { x, y, state, n } = model;
  for (let i = 0; i < n; i++) {
    const sx = x[i] * scale + tx;
    const sy = y[i] * scale + ty;
    if (sx < -margin || sy < -margin || sx > width + margin || sy > height + margin) continue;
    switch (state[i]) {
      case 0:
        available.moveTo(sx + r, sy);
        available.arc(sx, sy, r, 0, Math.PI * 2);
        break;
      case 1:
        held.rect(sx - r * 0.85, sy - r * 0.85, r * 1.7, r * 1.7);
        break;
      case 2:
        sold.moveTo(sx - r * 0.8, sy - r * 0.8);
        sold.lineTo(sx + r * 0.8, sy + r * 0.8);
        sold.moveTo(sx + r * 0.8, sy - r * 0.8);
        sold.lineTo(sx - r * 0.8, sy + r * 0.8);
        break;
      default:
        off.moveTo(sx + r * 0.8, sy);
        off.arc(sx, sy, r * 0.8, 0, Math.PI * 2);
    }
  }
  ctx.fillStyle = STYLE.AVAILABLE;
  ctx.fill(available);
  ctx.fillStyle = STYLE.HELD;
  ctx.fill(held);
  ctx.lineCap = 'round';
  ctx.strokeStyle = STYLE.SOLD;
  ctx.lineWidth = Math.max(1, r * 0.45);
  ctx.stroke(sold);
  ctx.strokeStyle = STYLE.NOT_ON_SALE;
  ctx.lineWidth = Math.max(0.75, r * 0.25);
  ctx.stroke(off);

  // Selected seats and seats held by you: a yellow dot in a black ring, on top.
  const picked = new Path2D();
  for (const set of [marks.selected, marks.mine]) {
    for (const i of set) {
      const sx = x[i] * scale + tx;
      const sy = y[i] * scale + ty;
      picked.moveTo(sx + r * 1.1, sy);
      picked.arc(sx, sy, r * 1.1, 0, Math.PI * 2);
    }
  }
  ctx.fillStyle = STYLE.SELECTED;
  ctx.fill(picked);
  ctx.strokeStyle = STYLE.RING;
  ctx.lineWidth = Math.max(1.5, r * 0.35);
  ctx.stroke(picked);

  for (const i of [marks.hovered, marks.focused]) {
    if (i === undefined) continue;
    const sx = x[i] * scale + tx;
    const sy = y[i] * scale + ty;
    ctx.beginPath();
    ctx.arc(sx, sy, Math.max(6, r * 1.6), 0, Math.PI * 2);
    ctx.strokeStyle = STYLE.FOCUS;
    ctx.lineWidth = 2;
    ctx.stroke();
  }

  // Section names above each block, at a readable size whatever the zoom.
  ctx.fillStyle = STYLE.LABEL;
  ctx.font = '600 13px system-ui, sans-serif';
  ctx.textBaseline = 'bottom';
  for (const box of model.sections) {
    const sx = box.minX * scale + tx - r;
    const sy = box.minY * scale + ty - r - 3;
    if (sy < -20 || sy > height + 20) continue;
    ctx.fillText(box.name, Math.max(4, sx), sy);
  }
}

/** The view that fits the whole map (with room for the section labels). */
export function fitView(model: SeatMapModel, width: number, height: number): View {
  const { minX, minY, maxX, maxY } = model.bounds;
  const w = maxX - minX + 2;
  const h = maxY - minY + 3;
  const scale = Math.max(0.5, Math.min(48, Math.min(width / w, (height - 20) / h)));
  return { scale, tx: (width - (maxX - minX) * scale) / 2 - minX * scale, ty: 24 + (height - 20 - (maxY - minY + 1) * scale) / 2 - minY * scale };
}
