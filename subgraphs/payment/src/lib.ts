// What the payment subgraph offers other workspaces (its package `exports`): the factory, its
// configuration model, its schema (for composition), its entities and migrations, and the
// provider webhook signature (what a payment provider, or a test standing in for one, sends).
export { createPaymentSubgraph, paymentEntities, type PaymentDeps, type PaymentSubgraph } from './server';
export { loadPaymentConfig, type PaymentConfig } from './env';
export { buildPaymentSchema } from './schema';
export { paymentMigrations } from '../migrations';
export { signWebhook, SIGNATURE_HEADER } from './webhook/webhook-signature';
