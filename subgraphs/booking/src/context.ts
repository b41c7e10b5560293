import DataLoader from 'dataloader';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Caller } from '@eventix/subgraph-kit';
import { AvailabilityService, type EventAvailability, type EventSeatStates } from './availability/availability.service';
import { Booking, BookingItem } from './booking/booking.entity';
import { BookingQueries } from './booking/booking.queries';
import type { BookingService } from './booking/booking.service';
import type { TicketService } from './ticket/ticket.service';
import type { SeatFanout } from './live/seat-fanout';
import { Ticket } from './ticket/ticket.entity';
import type { SeatAvailability } from './booking/booking.types';

export interface BookingContext {
  caller: Caller;
  em: EntityManager;
  loaders: BookingLoaders;
  queries: BookingQueries;
  bookings: BookingService;
  tickets: TicketService;
  fanout: SeatFanout;
  /** holdExpiring's warning time and polling interval. */
  holdWatch: { warningSeconds: number; watchIntervalMs: number };
}

export interface BookingLoaders {
  booking: DataLoader<string, Booking | null>;
  itemsOfBooking: DataLoader<string, BookingItem[]>;
  ticketsOfBooking: DataLoader<string, Ticket[]>;
  seatAvailability: DataLoader<string, SeatAvailability | undefined>;
  /** Many seats' availability in one query, without a DataLoader key (and promise) per seat: a whole map's `_entities`. */
  seatAvailabilities: (seatIds: readonly string[]) => Promise<Map<string, SeatAvailability>>;
  eventAvailability: DataLoader<string, EventAvailability | undefined>;
  /** The gateway's seat-map cache key of one event (one query; only the gateway asks, one event at a time). */
  availabilityCacheKey: (eventId: string) => Promise<string | null>;
  /** Booking's whole part of one event's map in one snapshot (the gateway refreshing a cached map). */
  seatStates: (eventId: string) => Promise<EventSeatStates | null>;
}

/** Batching loaders: N entity representations or N bookings cost one query each. */
export function createLoaders(em: EntityManager, availability: AvailabilityService): BookingLoaders {
  return {
    booking: new DataLoader(async (ids) => {
      const rows = await em.find(Booking, { id: { $in: [...ids] } });
      const byId = new Map(rows.map((b) => [b.id, b]));
      return ids.map((id) => byId.get(id) ?? null);
    }),
    itemsOfBooking: new DataLoader(async (bookingIds) => {
      const rows = await em.find(BookingItem, { booking: { $in: [...bookingIds] } }, { orderBy: { seatId: 'asc' } });
      return bookingIds.map((id) => rows.filter((item) => item.booking.id === id));
    }),
    ticketsOfBooking: new DataLoader(async (bookingIds) => {
      const rows = await em.find(Ticket, { booking: { $in: [...bookingIds] } }, { orderBy: { seatId: 'asc' } });
      return bookingIds.map((id) => rows.filter((ticket) => ticket.booking.id === id));
    }),
    seatAvailability: new DataLoader(async (seatIds) => {
      const states = await availability.seats(em, seatIds);
      return seatIds.map((id) => states.get(id));
    }),
    seatAvailabilities: (seatIds) => availability.seats(em, seatIds),
    availabilityCacheKey: (eventId) => availability.cacheKey(em, eventId),
    seatStates: (eventId) => availability.seatStates(em, eventId),
    eventAvailability: new DataLoader(async (eventIds) => {
      const counters = await availability.events(em, eventIds);
      return eventIds.map((id) => counters.get(id));
    }),
  };
}
