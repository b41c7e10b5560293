/**
 * The catalog's messages as the booking subgraph reads them (catalog's event.messages.ts is the
 * producer's side). Kept as a copy on purpose: services share a wire format, not code.
 */
export const CatalogTopics = {
  eventPublished: 'catalog.event-published',
  eventCancelled: 'catalog.event-cancelled',
} as const;

export interface EventPublishedPayload {
  eventId: string;
  /** When the event starts (ISO 8601): sales close then. Catalog always sends it; tolerated missing (open). */
  startsAt?: string;
  currency: string;
  priceVersion: number;
  part: number;
  parts: number;
  totalSeats: number;
  /** Positions arrive from version 2 on; a version-1 seat has none. */
  seats: Array<{ seatId: string; priceMinor: number; sectionId?: string; row?: string; number?: number; x?: number; y?: number }>;
  /** Version 2 on; version 1 means ALLOW (the rule did not exist). */
  singleSeatRule?: 'ALLOW' | 'PREVENT';
}

/** Versions of catalog.event-published this code reads. */
export const EVENT_PUBLISHED_VERSIONS = [1, 2];

export interface EventCancelledPayload {
  eventId: string;
}
