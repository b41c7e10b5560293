import { Migration } from '@mikro-orm/migrations';

/**
 * An event's live holds by expiry: the seat-map cache key holds the earliest one's end
 * (availability.service.ts) and is read for every seat-map request, so it must be one index
 * probe, not a pass over the event's holds. booking_pending_expiry_idx (expiry only, for the
 * expiry worker) would walk every other event's earlier holds first.
 */
export class Migration20261126030000HoldExpiryByEvent extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create index booking_event_hold_expiry_idx on booking (event_id, expires_at) where status = 'PENDING'`);
  }
}
