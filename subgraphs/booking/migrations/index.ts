import { Migration20261125000000BookingInitial } from './Migration20261125000000_booking_initial';
import { Migration20261125010000Tickets } from './Migration20261125010000_tickets';
import { Migration20261125020000ProjectionProgress } from './Migration20261125020000_projection_progress';
import { Migration20261125100000SeatSelection } from './Migration20261125100000_seat_selection';
import { Migration20261125210000OutboxTraceparent } from './Migration20261125210000_outbox_traceparent';
import { Migration20261126000000SeatMapVersionAtCommit } from './Migration20261126000000_seat_map_version_at_commit';
import { Migration20261126010000OutboxWake } from './Migration20261126010000_outbox_wake';
import { Migration20261126020000SeatRowMates } from './Migration20261126020000_seat_row_mates';
import { Migration20261126030000HoldExpiryByEvent } from './Migration20261126030000_hold_expiry_by_event';
import { Migration20261126040000ActiveItemCount } from './Migration20261126040000_active_item_count';
import { Migration20261127000000EventStartsAt } from './Migration20261127000000_event_starts_at';

/** Every migration of the booking database, in order. */
export const bookingMigrations = [
  { name: 'Migration20261125000000_booking_initial', class: Migration20261125000000BookingInitial },
  { name: 'Migration20261125010000_tickets', class: Migration20261125010000Tickets },
  { name: 'Migration20261125020000_projection_progress', class: Migration20261125020000ProjectionProgress },
  { name: 'Migration20261125100000_seat_selection', class: Migration20261125100000SeatSelection },
  { name: 'Migration20261125210000_outbox_traceparent', class: Migration20261125210000OutboxTraceparent },
  { name: 'Migration20261126000000_seat_map_version_at_commit', class: Migration20261126000000SeatMapVersionAtCommit },
  { name: 'Migration20261126010000_outbox_wake', class: Migration20261126010000OutboxWake },
  { name: 'Migration20261126020000_seat_row_mates', class: Migration20261126020000SeatRowMates },
  { name: 'Migration20261126030000_hold_expiry_by_event', class: Migration20261126030000HoldExpiryByEvent },
  { name: 'Migration20261126040000_active_item_count', class: Migration20261126040000ActiveItemCount },
  { name: 'Migration20261127000000_event_starts_at', class: Migration20261127000000EventStartsAt },
];
