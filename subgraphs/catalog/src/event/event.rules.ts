import { badUserInput } from '@eventix/errors';
import { isSupportedCurrency, SUPPORTED_CURRENCIES } from '@eventix/subgraph-kit';
import { EventStatus } from './event.entity';

/** Allowed lifecycle moves of an event. */
const TRANSITIONS: Record<EventStatus, readonly EventStatus[]> = {
  [EventStatus.DRAFT]: [EventStatus.ON_SALE, EventStatus.PUBLISHED, EventStatus.CANCELLED],
  [EventStatus.PUBLISHED]: [EventStatus.ON_SALE, EventStatus.CANCELLED],
  [EventStatus.ON_SALE]: [EventStatus.SOLD_OUT, EventStatus.CANCELLED],
  [EventStatus.SOLD_OUT]: [EventStatus.ON_SALE, EventStatus.CANCELLED],
  [EventStatus.CANCELLED]: [],
};

export function assertTransition(from: EventStatus, to: EventStatus): void {
  if (!TRANSITIONS[from].includes(to)) {
    throw badUserInput('id', `an event that is ${from} cannot become ${to}`);
  }
}

export function requireCurrency(code: string): string {
  const upper = code.trim().toUpperCase();
  if (!isSupportedCurrency(upper)) throw badUserInput('currency', `unknown currency code; use one of ${SUPPORTED_CURRENCIES.join(', ')}`);
  return upper;
}

export function requireFutureStart(startsAt: Date, now: Date): Date {
  if (Number.isNaN(startsAt.getTime())) throw badUserInput('startsAt', 'must be a date-time');
  if (startsAt.getTime() <= now.getTime()) throw badUserInput('startsAt', 'must be in the future');
  return startsAt;
}

