import type { ApolloServerPlugin } from '@apollo/server';
import type { DocumentNode, GraphQLSchema, OperationDefinitionNode } from 'graphql';
import { rateLimited } from '@eventix/errors';
import type { GatewayContext } from '../context';
import { partnerIdOf, type Partners } from '../partners';
import { estimateCost, type CostModel, type CostOptions } from './cost';
import type { RateLimitStore } from './rate-limit';

const WINDOW_SECONDS = 60;

export interface PartnerBudgetOptions {
  partners: Partners;
  /** The rate limiter's store: Redis shared by every gateway instance (memory while it is down). */
  store: RateLimitStore;
  costModel: () => CostModel;
  costOptions: CostOptions;
}

/** The operation's estimated cost; 0 when it breaks the slicing rules (the limits plugin refuses it). */
function estimate(options: PartnerBudgetOptions, schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode, variables: Record<string, unknown>): number {
  try {
    return estimateCost(schema, options.costModel(), document, operation, variables, options.costOptions);
  } catch {
    return 0;
  }
}

/** Spends `amount` of one per-minute budget; throws RATE_LIMITED once it is over. */
async function spend(options: PartnerBudgetOptions, partnerId: string, budget: 'requests' | 'cost', limit: number, amount: number): Promise<void> {
  const { count, resetMs } = await options.store.hit(`partner:${budget}:${partnerId}`, WINDOW_SECONDS, amount);
  if (count <= limit) return;
  options.partners.overBudget.inc({ partner: partnerId, budget });
  const retryAfterSeconds = Math.max(1, Math.ceil(resetMs / 1000));
  throw rateLimited(`Partner ${partnerId} is over its ${budget === 'requests' ? 'requests' : 'cost units'} per minute; retry in ${retryAfterSeconds} s`, retryAfterSeconds);
}

/**
 * Per-partner budgets from the partners file: requests per minute and estimated cost units per
 * minute, counted in the rate limiter's store so every gateway instance spends the same budget.
 */
export function usePartnerBudgets(options: PartnerBudgetOptions): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart({ contextValue }) {
      const partnerId = partnerIdOf(contextValue.caller);
      if (partnerId === undefined) return;
      return {
        async didResolveOperation({ schema, document, operation, request }) {
          const partner = options.partners.partner(partnerId);
          if (!partner || !operation) return;
          await spend(options, partnerId, 'requests', partner.budgets.requestsPerMinute, 1);
          const cost = estimate(options, schema, document, operation, request.variables ?? {});
          if (cost > 0) await spend(options, partnerId, 'cost', partner.budgets.costPerMinute, cost);
        },
      };
    },
  };
}
