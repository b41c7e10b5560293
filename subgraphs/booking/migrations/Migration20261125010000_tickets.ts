import { Migration } from '@mikro-orm/migrations';

/** Tickets of confirmed bookings: one per seat, with the signed code a door scanner verifies. */
export class Migration20261125010000Tickets extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table ticket (
      id uuid primary key,
      booking_id uuid not null references booking (id) on delete cascade,
      event_id uuid not null,
      seat_id uuid not null,
      code text not null unique,
      checked_in_at timestamptz null,
      checked_in_by text null,
      created_at timestamptz not null default now())`);
    this.addSql(`create index ticket_booking_idx on ticket (booking_id)`);
    // The payment that confirmed a booking; a second success for it is refunded, not re-applied.
    this.addSql(`alter table booking add column payment_id text null`);
  }
}
