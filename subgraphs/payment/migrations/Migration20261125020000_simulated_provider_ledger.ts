import { Migration } from '@mikro-orm/migrations';

/**
 * The simulated card provider's own records. A real provider keeps its charges when our payment
 * service restarts; a simulator that kept them only in memory could not refund a charge made
 * before a restart, nor finish a pending one. Not read by the payment code itself — only by
 * the simulated provider, standing in for the provider's side.
 */
export class Migration20261125020000SimulatedProviderLedger extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table simulated_provider_charge (
      idempotency_key text primary key,
      charge_id text not null unique,
      status text not null,
      reason text null,
      amount_minor bigint not null,
      payment_id text null,
      created_at timestamptz not null default now())`);
    this.addSql(`create table simulated_provider_refund (
      idempotency_key text primary key,
      refund_id text not null,
      charge_id text not null,
      amount_minor bigint not null,
      created_at timestamptz not null default now())`);
  }
}
