import { Migration20261125000000PaymentInitial } from './Migration20261125000000_payment_initial';
import { Migration20261125010000PaymentFlow } from './Migration20261125010000_payment_flow';
import { Migration20261125020000SimulatedProviderLedger } from './Migration20261125020000_simulated_provider_ledger';
import { Migration20261125210000OutboxTraceparent } from './Migration20261125210000_outbox_traceparent';
import { Migration20261126010000OutboxWake } from './Migration20261126010000_outbox_wake';

/** Every migration of the payment database, in order. */
export const paymentMigrations = [
  { name: 'Migration20261125000000_payment_initial', class: Migration20261125000000PaymentInitial },
  { name: 'Migration20261125010000_payment_flow', class: Migration20261125010000PaymentFlow },
  { name: 'Migration20261125020000_simulated_provider_ledger', class: Migration20261125020000SimulatedProviderLedger },
  { name: 'Migration20261125210000_outbox_traceparent', class: Migration20261125210000OutboxTraceparent },
  { name: 'Migration20261126010000_outbox_wake', class: Migration20261126010000OutboxWake },
];
