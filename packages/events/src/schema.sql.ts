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
