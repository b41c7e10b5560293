/**
 * Messages the catalog publishes (topic = type). The booking subgraph builds the projection it
 * locks on from these, so their shape is a contract between services: add fields freely,
 * change meaning only with a new `version`.
 */
export const CatalogTopics = {
  eventPublished: 'catalog.event-published',
  eventCancelled: 'catalog.event-cancelled',
} as const;

/** Seats per message: a 100,000-seat venue must not produce a message above Kafka's 1 MB default. */
export const SEATS_PER_MESSAGE = 2_000;

export interface EventPublishedPayload {
  eventId: string;
  venueId: string;
  title: string;
  startsAt: string;
  currency: string;
  /** Consumers keep the newest price version and ignore older parts. */
  priceVersion: number;
  /** 1-based part number of `parts`; together the parts list every seat of the event. */
  part: number;
  parts: number;
  totalSeats: number;
  /** Version 2: each seat's place on the map, so booking can pick adjacent seats and spot lone ones. */
  seats: Array<{ seatId: string; priceMinor: number; sectionId: string; row: string; number: number; x: number; y: number }>;
  /** Version 2: the event's lone-seat rule (version 1 messages carry none: ALLOW). */
  singleSeatRule: 'ALLOW' | 'PREVENT';
}

/**
 * Version of catalog.event-published this code writes. 2 added seat positions and
 * singleSeatRule (issue #15); booking still reads 1.
 */
export const EVENT_PUBLISHED_VERSION = 2;

export interface EventCancelledPayload {
  eventId: string;
}
