import { STYLE } from './render';

/** The legend repeats each state's shape, so it reads without colour too. */
export function Legend() {
  const size = 16;
  const c = size / 2;
  return (
    <ul className="legend" aria-label="Seat map legend">
      <li>
        <svg width={size} height={size} aria-hidden="true"><circle cx={c} cy={c} r={6} fill={STYLE.AVAILABLE} /></svg> Available (circle)
      </li>
      <li>
        <svg width={size} height={size} aria-hidden="true"><rect x={2} y={2} width={12} height={12} fill={STYLE.HELD} /></svg> Held (square)
      </li>
      <li>
        <svg width={size} height={size} aria-hidden="true"><path d="M3 3 L13 13 M13 3 L3 13" stroke={STYLE.SOLD} strokeWidth={3} strokeLinecap="round" /></svg> Sold (cross)
      </li>
      <li>
        <svg width={size} height={size} aria-hidden="true"><circle cx={c} cy={c} r={5} fill="none" stroke={STYLE.NOT_ON_SALE} strokeWidth={2} /></svg> Not on sale (ring)
      </li>
      <li>
        <svg width={size} height={size} aria-hidden="true"><circle cx={c} cy={c} r={6} fill={STYLE.SELECTED} stroke={STYLE.RING} strokeWidth={2} /></svg> Your selection (ringed dot)
      </li>
    </ul>
  );
}
