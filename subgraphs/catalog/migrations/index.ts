import { Migration20261125000000CatalogInitial } from './Migration20261125000000_catalog_initial';
import { Migration20261125100000SingleSeatRule } from './Migration20261125100000_single_seat_rule';
import { Migration20261125210000OutboxTraceparent } from './Migration20261125210000_outbox_traceparent';
import { Migration20261126010000OutboxWake } from './Migration20261126010000_outbox_wake';

/** Every migration of the catalog database, in order. */
export const catalogMigrations = [
  { name: 'Migration20261125000000_catalog_initial', class: Migration20261125000000CatalogInitial },
  { name: 'Migration20261125100000_single_seat_rule', class: Migration20261125100000SingleSeatRule },
  { name: 'Migration20261125210000_outbox_traceparent', class: Migration20261125210000OutboxTraceparent },
  { name: 'Migration20261126010000_outbox_wake', class: Migration20261126010000OutboxWake },
];
