// What the booking subgraph offers other workspaces (its package `exports`): the factory that
// builds a running subgraph, its configuration model, its schema (for composition), its entities
// and migrations (for `npm run migrate`), and the ticket signer (the launcher makes the dev key).
export { createBookingSubgraph, bookingEntities, type BookingDeps, type BookingSubgraph } from './server';
export { loadBookingConfig, type BookingConfig } from './env';
export { buildBookingSchema } from './schema';
export { bookingMigrations } from '../migrations';
export { TicketSigner, type TicketClaims } from './ticket/ticket-signer';
export { RedisSeatFanout } from './live/seat-fanout';
