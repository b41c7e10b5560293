import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { badUserInput, notFound } from '@eventix/errors';
import { recordEvent } from '@eventix/events';
import { decodeKeysetCursor, encodeKeysetCursor, storableText, toMinorUnits } from '@eventix/subgraph-kit';
import { Venue } from '../venue/venue.entity';
import { Seat } from './seat.entity';
import { requireName } from '../venue/venue.rules';
import { Event, EventStatus, SingleSeatRule } from './event.entity';
import { CatalogTopics, EVENT_PUBLISHED_VERSION, SEATS_PER_MESSAGE, type EventCancelledPayload, type EventPublishedPayload } from './event.messages';
import { assertTransition, requireCurrency, requireFutureStart } from './event.rules';

export interface CreateEventCommand {
  venueId: string;
  title: string;
  startsAt: Date;
  currency: string;
  singleSeatRule?: SingleSeatRule;
}

export interface EventPageQuery {
  first: number;
  after?: string;
  city?: string;
  from?: Date;
  /** Organizers see drafts; the public sees only published events. */
  includeDrafts: boolean;
}

export interface EventPage {
  events: Event[];
  hasNextPage: boolean;
}

export class EventService {
  constructor(private readonly now: () => Date = () => new Date()) {}

  async createEvent(em: EntityManager, command: CreateEventCommand): Promise<Event> {
    const title = requireName('title', command.title);
    const currency = requireCurrency(command.currency);
    const startsAt = requireFutureStart(command.startsAt, this.now());
    const venue = await em.findOne(Venue, { id: command.venueId });
    if (!venue) throw notFound('Venue', command.venueId);
    return em.transactional(async (tx) => {
      const event = tx.create(Event, { title, currency, startsAt, venue, city: venue.city, singleSeatRule: command.singleSeatRule ?? SingleSeatRule.PREVENT });
      await tx.flush();
      // The event's own seats, copied from the layout in one statement (20,000 rows: one trip).
      await tx.execute(
        `insert into seat (id, event_id, section_id, "row", number, x, y, ordinal, price_minor)
         select gen_random_uuid(), ?, section_id, "row", number, x, y, ordinal, price_minor
           from venue_seat where venue_id = ?`,
        [event.id, venue.id],
      );
      return event;
    });
  }

  /**
   * DRAFT → ON_SALE. Announces every seat with its price (in parts) through the outbox in the
   * same transaction, so the booking subgraph can build the projection it locks on.
   */
  async publishEvent(em: EntityManager, id: string): Promise<Event> {
    return em.transactional(async (tx) => {
      const event = await tx.findOne(Event, { id }, { lockMode: LockMode.PESSIMISTIC_WRITE });
      if (!event) throw notFound('Event', id);
      assertTransition(event.status, EventStatus.ON_SALE);
      // Booking closes sales at the start; a draft published after it would be listed ON_SALE
      // with every seat unsellable.
      if (event.startsAt.getTime() <= this.now().getTime()) throw badUserInput('id', 'this event has started; it can no longer be put on sale');
      event.status = EventStatus.ON_SALE;
      event.priceVersion += 1;
      await this.announceSeats(tx, event);
      return event;
    });
  }

  /**
   * Reprices one section of an event. A published event's new prices are announced through
   * the outbox with a higher priceVersion, so bookings made afterwards pay them; holds already
   * made keep the price they were made at.
   */
  async changeSectionPrice(em: EntityManager, id: string, sectionId: string, price: string): Promise<Event> {
    const priceMinor = toMinorUnits(price, 'price');
    return em.transactional(async (tx) => {
      const event = await tx.findOne(Event, { id }, { lockMode: LockMode.PESSIMISTIC_WRITE });
      if (!event) throw notFound('Event', id);
      if (event.status === EventStatus.CANCELLED) throw badUserInput('id', 'a cancelled event cannot be repriced');
      const changed = await tx.execute<Array<{ id: string }>>('update seat set price_minor = ? where event_id = ? and section_id = ? returning id', [priceMinor, id, sectionId]);
      if (!changed.length) throw notFound('Section', sectionId);
      if (event.status !== EventStatus.DRAFT) {
        event.priceVersion += 1;
        await this.announceSeats(tx, event);
      }
      return event;
    });
  }

  /**
   * Sets the lone-seat rule. A published event announces its seats again (next priceVersion,
   * same prices) so booking's projection picks the rule up through the usual message.
   */
  async setSingleSeatRule(em: EntityManager, id: string, rule: SingleSeatRule): Promise<Event> {
    return em.transactional(async (tx) => {
      const event = await tx.findOne(Event, { id }, { lockMode: LockMode.PESSIMISTIC_WRITE });
      if (!event) throw notFound('Event', id);
      if (event.status === EventStatus.CANCELLED) throw badUserInput('id', 'a cancelled event cannot be changed');
      if (event.singleSeatRule === rule) return event;
      event.singleSeatRule = rule;
      if (event.status !== EventStatus.DRAFT) {
        event.priceVersion += 1;
        await this.announceSeats(tx, event);
      }
      return event;
    });
  }

  async cancelEvent(em: EntityManager, id: string): Promise<Event> {
    return em.transactional(async (tx) => {
      const event = await tx.findOne(Event, { id }, { lockMode: LockMode.PESSIMISTIC_WRITE });
      if (!event) throw notFound('Event', id);
      assertTransition(event.status, EventStatus.CANCELLED);
      const wasAnnounced = event.status !== EventStatus.DRAFT;
      event.status = EventStatus.CANCELLED;
      if (wasAnnounced) recordEvent<EventCancelledPayload>(tx, { type: CatalogTopics.eventCancelled, key: event.id, payload: { eventId: event.id } });
      return event;
    });
  }

  findEvent(em: EntityManager, id: string, includeDrafts: boolean): Promise<Event | null> {
    return em.findOne(Event, { id, ...(includeDrafts ? {} : { status: { $ne: EventStatus.DRAFT } }) });
  }

  /** Keyset pagination on (startsAt, id): stable under inserts, no OFFSET scans. */
  async listEvents(em: EntityManager, query: EventPageQuery): Promise<EventPage> {
    if (query.first === 0) return { events: [], hasNextPage: false };
    const where: Record<string, unknown>[] = [];
    if (!query.includeDrafts) where.push({ status: { $ne: EventStatus.DRAFT } });
    // The city as typed, ignoring case: its %, _ and \ are characters, not LIKE patterns ("%"
    // would list every city's events); a NUL byte is refused before PostgreSQL breaks on it.
    if (query.city) where.push({ city: { $ilike: likeLiteral(storableText('city', query.city).trim()) } });
    if (query.from) where.push({ startsAt: { $gte: query.from } });
    if (query.after) {
      const after = decodeKeysetCursor(query.after);
      where.push({ $or: [{ startsAt: { $gt: after.at } }, { startsAt: after.at, id: { $gt: after.id } }] });
    }
    const rows = await em.find(Event, { $and: where }, { orderBy: [{ startsAt: 'asc' }, { id: 'asc' }], limit: query.first + 1 });
    return { events: rows.slice(0, query.first), hasNextPage: rows.length > query.first };
  }

  cursorOf(event: Event): string {
    return encodeKeysetCursor({ at: event.startsAt, id: event.id });
  }

  private async announceSeats(em: EntityManager, event: Event): Promise<void> {
    const seats = await em.find(Seat, { eventId: event.id }, { orderBy: { ordinal: 'asc' }, fields: ['id', 'priceMinor', 'section', 'row', 'number', 'x', 'y'] });
    const parts = Math.max(1, Math.ceil(seats.length / SEATS_PER_MESSAGE));
    for (let part = 0; part < parts; part++) {
      const chunk = seats.slice(part * SEATS_PER_MESSAGE, (part + 1) * SEATS_PER_MESSAGE);
      recordEvent<EventPublishedPayload>(em, {
        type: CatalogTopics.eventPublished,
        version: EVENT_PUBLISHED_VERSION,
        key: event.id,
        payload: {
          eventId: event.id,
          venueId: event.venue.id,
          title: event.title,
          startsAt: event.startsAt.toISOString(),
          currency: event.currency,
          priceVersion: event.priceVersion,
          part: part + 1,
          parts,
          totalSeats: seats.length,
          singleSeatRule: event.singleSeatRule,
          seats: chunk.map((s) => ({ seatId: s.id, priceMinor: Number(s.priceMinor), sectionId: s.section.id, row: s.row, number: s.number, x: s.x, y: s.y })),
        },
      });
    }
  }
}

/** A LIKE pattern matching exactly `text` (PostgreSQL's default escape character is the backslash). */
const likeLiteral = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);
