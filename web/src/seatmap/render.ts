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

const FLAT = [STYLE.AVAILABLE, STYLE.HELD, STYLE.SOLD, STYLE.NOT_ON_SALE, STYLE.NOT_ON_SALE];
const SELECTED = 5;

export interface Marks {
  selected: ReadonlySet<number>;
  mine: ReadonlySet<number>;
  focused?: number;
  hovered?: number;
}

/** One pre-drawn image per state at the current seat size: a seat is then one drawImage. */
interface Sprites {
  key: string;
  images: HTMLCanvasElement[];
  /** Half the sprite's size in device pixels */
  half: number;
  /** Each sprite's pixels blended onto the background, 0 where it leaves the background alone */
  pixels?: Uint32Array[];
}
let cache: Sprites | undefined;

function sprites(r: number, dpr: number): Sprites {
  const rd = r * dpr;
  const key = rd.toFixed(2);
  if (cache?.key === key) return cache;
  const half = Math.ceil(rd * 1.25 + 2);
  const images = [0, 1, 2, 3, 4, SELECTED].map((state) => {
    const c = document.createElement('canvas');
    c.width = c.height = half * 2;
    const g = c.getContext('2d')!;
    g.translate(half, half);
    drawShape(g, state, rd);
    return c;
  });
  cache = { key, images, half };
  return cache;
}

function drawShape(g: CanvasRenderingContext2D, state: number, r: number): void {
  if (r < 1.5) {
    // A seat of a pixel or two: a solid square (shapes would only blur into the background).
    const d = Math.max(1, Math.round(r * 1.6));
    g.fillStyle = state === SELECTED ? STYLE.RING : FLAT[state];
    g.fillRect(-Math.floor(d / 2), -Math.floor(d / 2), d, d);
    return;
  }
  g.beginPath();
  switch (state) {
    case 0:
      g.arc(0, 0, r, 0, Math.PI * 2);
      g.fillStyle = STYLE.AVAILABLE;
      g.fill();
      break;
    case 1:
      g.rect(-r * 0.85, -r * 0.85, r * 1.7, r * 1.7);
      g.fillStyle = STYLE.HELD;
      g.fill();
      break;
    case 2:
      g.moveTo(-r * 0.8, -r * 0.8);
      g.lineTo(r * 0.8, r * 0.8);
      g.moveTo(r * 0.8, -r * 0.8);
      g.lineTo(-r * 0.8, r * 0.8);
      g.lineCap = 'round';
      g.strokeStyle = STYLE.SOLD;
      g.lineWidth = Math.max(1, r * 0.45);
      g.stroke();
      break;
    case SELECTED:
      g.arc(0, 0, r * 1.1, 0, Math.PI * 2);
      g.fillStyle = STYLE.SELECTED;
      g.fill();
      g.strokeStyle = STYLE.RING;
      g.lineWidth = Math.max(1.5, r * 0.35);
      g.stroke();
      break;
    default:
      g.arc(0, 0, r * 0.8, 0, Math.PI * 2);
      g.strokeStyle = STYLE.NOT_ON_SALE;
      g.lineWidth = Math.max(0.75, r * 0.25);
      g.stroke();
  }
}

const radius = (scale: number) => Math.max(0.6, scale * 0.4);
/** Above this many seats a whole-map draw writes pixels instead of one drawImage per seat. */
const PIXEL_PATH_SEATS = 1500;

function drawSeat(ctx: CanvasRenderingContext2D, model: SeatMapModel, i: number, view: View, dpr: number, marks: Marks, s: Sprites): void {
  const sx = (model.x[i] * view.scale + view.tx) * dpr;
  const sy = (model.y[i] * view.scale + view.ty) * dpr;
  const picked = marks.selected.has(i) || marks.mine.has(i);
  ctx.drawImage(s.images[picked ? SELECTED : model.state[i]], Math.round(sx) - s.half, Math.round(sy) - s.half);
}

function spritePixels(s: Sprites): Uint32Array[] {
  if (s.pixels) return s.pixels;
  const bg = 255; // STYLE.BACKGROUND is white
  s.pixels = s.images.map((image) => {
    const rgba = image.getContext('2d')!.getImageData(0, 0, image.width, image.height).data;
    const out = new Uint32Array(image.width * image.height);
    for (let p = 0; p < out.length; p++) {
      const a = rgba[p * 4 + 3] / 255;
      if (a < 0.03) continue;
      const blend = (c: number) => Math.round(c * a + bg * (1 - a));
      out[p] = (0xff << 24) | (blend(rgba[p * 4 + 2]) << 16) | (blend(rgba[p * 4 + 1]) << 8) | blend(rgba[p * 4]);
    }
    return out;
  });
  return s.pixels;
}

/** Many seats on screen: copy the sprites' pixels into one image (a drawImage per seat is ~8 µs in software). */
function drawSeatPixels(ctx: CanvasRenderingContext2D, model: SeatMapModel, view: View, dpr: number, marks: Marks, s: Sprites): void {
  const W = ctx.canvas.width;
  const H = ctx.canvas.height;
  const image = ctx.createImageData(W, H);
  const buffer = new Uint32Array(image.data.buffer);
  buffer.fill(0xffffffff);
  const pixels = spritePixels(s);
  const side = s.half * 2;
  const { x, y, state, n } = model;
  for (let i = 0; i < n; i++) {
    const px = Math.round((x[i] * view.scale + view.tx) * dpr) - s.half;
    const py = Math.round((y[i] * view.scale + view.ty) * dpr) - s.half;
    if (px + side <= 0 || py + side <= 0 || px >= W || py >= H) continue;
    const sprite = pixels[marks.selected.has(i) || marks.mine.has(i) ? SELECTED : state[i]];
    const y0 = Math.max(0, -py);
    const y1 = Math.min(side, H - py);
    const x0 = Math.max(0, -px);
    const x1 = Math.min(side, W - px);
    for (let sy = y0; sy < y1; sy++) {
      const row = (py + sy) * W + px;
      const from = sy * side;
      for (let sx = x0; sx < x1; sx++) {
        const v = sprite[from + sx];
        if (v) buffer[row + sx] = v;
      }
    }
  }
  ctx.putImageData(image, 0, 0);
}

/**
 * Draws the whole map in device pixels: each visible seat is one drawImage of its state's sprite
 * (or a filled square when seats are a pixel or two), then focus rings and section names.
 */
export function drawSeatMap(ctx: CanvasRenderingContext2D, model: SeatMapModel, view: View, width: number, height: number, marks: Marks): void {
  const dpr = ctx.canvas.width / Math.max(1, width);
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  const { scale, tx, ty } = view;
  const r = radius(scale);
  const s = sprites(r, dpr);
  const { x, y, n } = model;
  if (n > PIXEL_PATH_SEATS && s.half <= 12) {
    drawSeatPixels(ctx, model, view, dpr, marks, s);
  } else {
    ctx.fillStyle = STYLE.BACKGROUND;
    ctx.fillRect(0, 0, ctx.canvas.width, ctx.canvas.height);
    const margin = r * 1.3 + 2;
    for (let i = 0; i < n; i++) {
      const sx = x[i] * scale + tx;
      const sy = y[i] * scale + ty;
      if (sx < -margin || sy < -margin || sx > width + margin || sy > height + margin) continue;
      drawSeat(ctx, model, i, view, dpr, marks, s);
    }
  }
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  for (const i of [marks.hovered, marks.focused]) {
    if (i === undefined) continue;
    ctx.beginPath();
    ctx.arc(x[i] * scale + tx, y[i] * scale + ty, Math.max(6, r * 1.6), 0, Math.PI * 2);
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

/**
 * Repaints only the given seats (a live change): clears each seat's own square and draws it
 * again. False when that is not safe (a focus ring or a section name nearby): paint everything.
 */
export function repaintSeats(ctx: CanvasRenderingContext2D, model: SeatMapModel, view: View, width: number, marks: Marks, seats: readonly number[]): boolean {
  const dpr = ctx.canvas.width / Math.max(1, width);
  const r = radius(view.scale);
  const s = sprites(r, dpr);
  for (const i of seats) {
    if (model.firstLineOfSection(i)) return false;
    for (const m of [marks.focused, marks.hovered]) {
      if (m !== undefined && Math.abs(model.x[m] - model.x[i]) <= 2 && Math.abs(model.y[m] - model.y[i]) <= 2) return false;
    }
  }
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  ctx.fillStyle = STYLE.BACKGROUND;
  for (const i of seats) {
    const sx = Math.round((model.x[i] * view.scale + view.tx) * dpr);
    const sy = Math.round((model.y[i] * view.scale + view.ty) * dpr);
    // A seat's drawing stays within 0.5 units of its centre at every size (neighbours sit 1 unit away).
    const half = Math.max(1, Math.min(view.scale * 0.5 * dpr, s.half));
    ctx.fillRect(sx - half, sy - half, half * 2, half * 2);
    drawSeat(ctx, model, i, view, dpr, marks, s);
  }
  return true;
}

/** The view that fits the whole map (with room for the section labels). */
export function fitView(model: SeatMapModel, width: number, height: number): View {
  const { minX, minY, maxX, maxY } = model.bounds;
  const w = maxX - minX + 2;
  const h = maxY - minY + 3;
  const scale = Math.max(0.5, Math.min(48, Math.min(width / w, (height - 20) / h)));
  return { scale, tx: (width - (maxX - minX) * scale) / 2 - minX * scale, ty: 24 + (height - 20 - (maxY - minY + 1) * scale) / 2 - minY * scale };
}
