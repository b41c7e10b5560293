import { Migration } from '@mikro-orm/migrations';

/**
 * Issue #15. Seat positions in the projection (best available and the lone-seat rule need rows;
 * seats projected from version-1 messages have none and are never picked by best available),
 * the event's lone-seat rule, and the bounded change log that lets a live seat map resume
 * after a given seat map version.
 */
export class Migration20261125100000SeatSelection extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table seat_projection
      add column section_id uuid null,
      add column row_label text null,
      add column seat_number integer null,
      add column x double precision null,
      add column y double precision null`);
    this.addSql(`create index seat_projection_row_idx on seat_projection (event_id, section_id, y, row_label, x)`);
    // Events projected before this migration keep the behaviour they were sold under.
    this.addSql(`alter table event_projection add column single_seat_rule text not null default 'ALLOW' check (single_seat_rule in ('ALLOW', 'PREVENT'))`);
    // One row per seat map version of an event: the seats that changed, as live subscribers saw
    // them. Written in the transaction that bumps the version, pruned to the newest versions.
    this.addSql(`create table seat_change_log (
      event_id uuid not null,
      version bigint not null,
      seats jsonb not null,
      created_at timestamptz not null default now(),
      primary key (event_id, version))`);
  }
}
