import { badUserInput } from '@eventix/errors';

/**
 * Money maths in integer minor units (cents). A "Money" string ("49.90") is converted once at
 * the edge; sums and comparisons never touch floating point.
 */
export function toMinorUnits(amount: string, field = 'amount'): number {
  const match = /^(\d{1,12})\.(\d{2})$/.exec(amount);
  if (!match) throw badUserInput(field, 'must be a decimal string with two places, e.g. "49.90"');
  return Number(match[1]) * 100 + Number(match[2]);
}

export function fromMinorUnits(minor: number | string | bigint): string {
  const value = BigInt(minor);
  const sign = value < 0n ? '-' : '';
  const abs = value < 0n ? -value : value;
  return `${sign}${abs / 100n}.${String(abs % 100n).padStart(2, '0')}`;
}

/** ISO 4217 codes the platform sells in; anything else is refused as input. */
export const SUPPORTED_CURRENCIES = ['USD', 'EUR', 'GBP', 'CHF', 'CAD', 'AUD', 'JPY', 'SEK', 'NOK', 'DKK', 'PLN', 'CZK'] as const;
export type Currency = (typeof SUPPORTED_CURRENCIES)[number];

export function isSupportedCurrency(code: string): code is Currency {
  return (SUPPORTED_CURRENCIES as readonly string[]).includes(code);
}
