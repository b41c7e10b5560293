import { Migration } from '@mikro-orm/migrations';

/** What a charge, its webhooks and its refund need: attempt key, charge id, booking state, refund bookkeeping. */
export class Migration20261125010000PaymentFlow extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table payment
      add column booking_expires_at timestamptz null,
      add column booking_open boolean not null default true,
      add column idempotency_key text null,
      add column charge_id text null unique,
      add column processing_since timestamptz null,
      add column refund_requested_at timestamptz null,
      add column refund_reason text null`);
    this.addSql(`create index payment_processing_idx on payment (processing_since) where status = 'PROCESSING'`);
    this.addSql(`create index payment_refund_due_idx on payment (refund_requested_at) where status = 'SUCCEEDED' and refund_requested_at is not null`);
  }
}
