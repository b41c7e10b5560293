import { Migration } from '@mikro-orm/migrations';
import { outboxTablesSql } from '@eventix/events';

/** Venues, sections, seats and events, plus the outbox tables every service has. */
export class Migration20261125000000CatalogInitial extends Migration {
  override async up(): Promise<void> {
    for (const sql of outboxTablesSql) this.addSql(sql);
    this.addSql(`create table venue (
      id uuid primary key,
      name text not null,
      city text not null,
      created_at timestamptz not null default now())`);
    this.addSql(`create index venue_city_idx on venue (city)`);
    this.addSql(`create table section (
      id uuid primary key,
      venue_id uuid not null references venue (id) on delete cascade,
      name text not null,
      rows integer not null check (rows > 0),
      seats_per_row integer not null check (seats_per_row > 0),
      position integer not null,
      price_minor bigint not null check (price_minor >= 0))`);
    this.addSql(`create index section_venue_idx on section (venue_id, position)`);
    this.addSql(`create table venue_seat (
      id uuid primary key,
      venue_id uuid not null references venue (id) on delete cascade,
      section_id uuid not null references section (id) on delete cascade,
      "row" text not null,
      number integer not null,
      x double precision not null,
      y double precision not null,
      ordinal integer not null,
      price_minor bigint not null check (price_minor >= 0),
      unique (section_id, "row", number))`);
    this.addSql(`create index venue_seat_venue_ordinal_idx on venue_seat (venue_id, ordinal)`);
    this.addSql(`create type event_status as enum ('DRAFT', 'PUBLISHED', 'ON_SALE', 'SOLD_OUT', 'CANCELLED')`);
    this.addSql(`create table event (
      id uuid primary key,
      title text not null,
      starts_at timestamptz not null,
      venue_id uuid not null references venue (id),
      status event_status not null default 'DRAFT',
      currency char(3) not null,
      city text not null,
      price_version integer not null default 0,
      created_at timestamptz not null default now())`);
    this.addSql(`create index event_starts_at_id_idx on event (starts_at, id)`);
    // An event's own copy of the venue layout: price and availability are per event.
    this.addSql(`create table seat (
      id uuid primary key,
      event_id uuid not null references event (id) on delete cascade,
      section_id uuid not null references section (id),
      "row" text not null,
      number integer not null,
      x double precision not null,
      y double precision not null,
      ordinal integer not null,
      price_minor bigint not null check (price_minor >= 0),
      unique (event_id, section_id, "row", number))`);
    this.addSql(`create index seat_event_ordinal_idx on seat (event_id, ordinal)`);
    this.addSql(`create index event_city_idx on event (city)`);
  }
}

