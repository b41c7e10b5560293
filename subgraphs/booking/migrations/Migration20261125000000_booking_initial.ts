import { Migration } from '@mikro-orm/migrations';
import { outboxTablesSql } from '@eventix/events';

/**
 * The seat projection createBooking locks on (fed by catalog messages, docs/adr/0002-seat-projection-in-booking.md), bookings,
 * their items and the outbox tables.
 */
export class Migration20261125000000BookingInitial extends Migration {
  override async up(): Promise<void> {
    for (const sql of outboxTablesSql) this.addSql(sql);
    this.addSql(`create table event_projection (
      event_id uuid primary key,
      currency char(3) not null,
      status text not null,
      price_version integer not null,
      total_seats integer not null,
      seat_map_version bigint not null default 0,
      updated_at timestamptz not null default now())`);
    this.addSql(`create table seat_projection (
      event_id uuid not null references event_projection (event_id) on delete cascade,
      seat_id uuid not null,
      price_minor bigint not null check (price_minor >= 0),
      primary key (event_id, seat_id))`);
    this.addSql(`create index seat_projection_seat_idx on seat_projection (seat_id)`);
    this.addSql(`create table booking (
      id uuid primary key,
      user_id text not null,
      event_id uuid not null,
      status text not null check (status in ('PENDING', 'CONFIRMED', 'CANCELLED', 'EXPIRED')),
      total_minor bigint not null,
      currency char(3) not null,
      expires_at timestamptz not null,
      idempotency_key text null,
      ticket_reference text null unique,
      cancellation_reason text null,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now())`);
    this.addSql(`create unique index booking_idempotency_idx on booking (user_id, idempotency_key) where idempotency_key is not null`);
    this.addSql(`create index booking_user_created_idx on booking (user_id, created_at desc, id desc)`);
    this.addSql(`create index booking_pending_expiry_idx on booking (expires_at) where status = 'PENDING'`);
    this.addSql(`create table booking_item (
      id uuid primary key,
      booking_id uuid not null references booking (id) on delete cascade,
      event_id uuid not null,
      seat_id uuid not null,
      price_minor bigint not null,
      status text not null)`);
    this.addSql(`create index booking_item_booking_idx on booking_item (booking_id)`);
    // See docs/adr/0003-one-active-hold-per-seat.md: the booking status is denormalised onto its items (kept in step in the same
    // transaction) so a partial unique index can forbid two active holds on one seat.
    this.addSql(`create unique index booking_item_active_seat_idx on booking_item (event_id, seat_id) where status in ('PENDING', 'CONFIRMED')`);
  }
}


