import { badUserInput, forbidden, notFound } from '@eventix/errors';
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


/** An organizer acting on events: their token's subject, and whether they are platform staff (catalog:admin). */
export interface Organizer {
  userId: string;
  admin: boolean;
}

/** Whose drafts a reader sees: none (the public), or an organizer's (staff see all). */
export type DraftReader = Organizer | undefined;

/**
 * An organizer manages their own events; platform staff manage every event; an event with no
 * organizer recorded (made before they were, or the launcher's demo) is every organizer's.
 */
export function manages(organizer: Organizer, event: { organizerId?: string | null }): boolean {
  return organizer.admin || !event.organizerId || event.organizerId === organizer.userId;
}

/**
 * Refuses a change by an organizer who does not manage the event: another organizer's draft is
 * "not found" (they cannot see it), a published one is theirs to see but not to change.
 * `by` undefined is the platform itself (the launcher's demo seed).
 */
export function assertManages(by: Organizer | undefined, event: { id: string; status: EventStatus; organizerId?: string | null }): void {
  if (!by || manages(by, event)) return;
  if (event.status === EventStatus.DRAFT) throw notFound('Event', event.id);
  throw forbidden("Only this event's organizer (or platform staff with catalog:admin) may change it");
}

/** The filter that hides drafts from a reader who may not see them (MikroORM query). */
export function visibleTo(reader: DraftReader): Record<string, unknown> {
  if (reader?.admin) return {};
  const published = { status: { $ne: EventStatus.DRAFT } };
  if (!reader) return published;
  return { $or: [published, { organizerId: null }, { organizerId: reader.userId }] };
}
