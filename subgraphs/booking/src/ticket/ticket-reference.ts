import { randomInt } from 'node:crypto';

/** No 0/O, 1/I/L: a reference read out over the phone must not be ambiguous. */
const ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ';

/** A human-friendly booking reference such as `EVX-7K3M-Q9TZ` (~40 bits of randomness). */
export function newTicketReference(): string {
  const part = () => Array.from({ length: 4 }, () => ALPHABET[randomInt(ALPHABET.length)]).join('');
  return `EVX-${part()}-${part()}`;
}
