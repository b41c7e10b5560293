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
  currency: string;
  priceVersion: number;
  part: number;
  parts: number;
  totalSeats: number;
  seats: Array<{ seatId: string; priceMinor: number }>;
}

export interface EventCancelledPayload {
  eventId: string;
}
