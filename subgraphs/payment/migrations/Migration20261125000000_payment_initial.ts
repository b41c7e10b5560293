import { Migration } from '@mikro-orm/migrations';
import { outboxTablesSql } from '@eventix/events';

/** Payments (one per booking) and the outbox tables. */
export class Migration20261125000000PaymentInitial extends Migration {
  override async up(): Promise<void> {
    for (const sql of outboxTablesSql) this.addSql(sql);
    this.addSql(`create table payment (
      id uuid primary key,
      booking_id uuid not null unique,
      user_id text not null,
      status text not null check (status in ('REQUIRES_PAYMENT', 'PROCESSING', 'SUCCEEDED', 'FAILED', 'REFUNDED')),
      amount_minor bigint not null check (amount_minor >= 0),
      refunded_minor bigint not null default 0 check (refunded_minor >= 0),
      currency char(3) not null,
      failure_reason text null,
      provider_transaction_id text null,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now())`);
  }
}

