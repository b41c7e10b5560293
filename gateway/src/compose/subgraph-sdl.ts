import { printSubgraphSchema } from '@apollo/subgraph';
import { buildBookingSchema } from '@eventix/booking';
import { buildCatalogSchema } from '@eventix/catalog';
import { buildPaymentSchema } from '@eventix/payment';

export const SUBGRAPH_NAMES = ['catalog', 'booking', 'payment'] as const;
export type SubgraphName = (typeof SUBGRAPH_NAMES)[number];

/** Each subgraph's SDL, printed from the same schema builders the subgraphs serve. */
export async function subgraphSdl(): Promise<Record<SubgraphName, string>> {
  const [catalog, booking, payment] = await Promise.all([buildCatalogSchema(), buildBookingSchema(), buildPaymentSchema()]);
  return { catalog: printSubgraphSchema(catalog), booking: printSubgraphSchema(booking), payment: printSubgraphSchema(payment) };
}
