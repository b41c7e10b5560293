/**
 * DDL for the outbox and the processed-messages table. Every service's first migration runs it,
 * so the relay and the consumers find the same tables in each database.
 */
export const outboxTablesSql = [
  `create table if not exists outbox (
     seq bigserial primary key,
     id uuid not null unique,
     topic text not null,
     message_key text not null,
     type text not null,
     version integer not null,
     payload jsonb not null,
     occurred_at timestamptz not null,
     published_at timestamptz null
   )`,
  // The relay scans only what is still pending, in order.
  `create index if not exists outbox_pending_idx on outbox (seq) where published_at is null`,
  `create table if not exists processed_messages (
     consumer text not null,
     message_id uuid not null,
     processed_at timestamptz not null default now(),
     primary key (consumer, message_id)
   )`,
];

/** The outbox's trace-context column; each service's outbox-traceparent migration adds it. */
export const outboxTraceparentSql = `alter table outbox add column if not exists traceparent text null`;

/** The channel the outbox's insert trigger notifies; relays LISTEN on it (docs/adr/0013-live-latency.md). */
export const OUTBOX_WAKE_CHANNEL = 'eventix_outbox_pending';

/**
 * A statement-level trigger that NOTIFYs the relays when rows are inserted into the outbox.
 * PostgreSQL delivers a notification only when its transaction commits (never for a rollback)
 * and folds identical ones of a transaction into one, so each committing writer wakes every
 * listening relay once, whichever replica or client wrote the row. Each service's migrations
 * create it (`…_outbox_wake`), next to the outbox table itself.
 */
export const outboxWakeTriggerSql = [
  `create or replace function eventix_outbox_wake() returns trigger language plpgsql as $$
   begin
     perform pg_notify('${OUTBOX_WAKE_CHANNEL}', '');
     return null;
   end $$`,
  `create or replace trigger outbox_wake after insert on outbox for each statement execute function eventix_outbox_wake()`,
];
