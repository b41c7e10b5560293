import type { ApolloServerPlugin } from '@apollo/server';
import type { DocumentNode, GraphQLSchema, OperationDefinitionNode } from 'graphql';
import { rateLimited } from '@eventix/errors';
import type { GatewayContext } from '../context';
import { partnerIdOf, type Partners } from '../partners';
import { estimateCost, type CostModel, type CostOptions } from './cost';
import { retryAfterSeconds, type RateLimitStore, type Spend } from './rate-limit';

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

type Budget = 'requests' | 'cost';

/**
 * Spends the operation's per-minute budgets — one request, then its estimated cost when it has
 * one — in one store call (one Redis round trip); throws RATE_LIMITED for the first one over.
 */
async function spend(options: PartnerBudgetOptions, partnerId: string, budgets: Array<{ budget: Budget; limit: number; amount: number }>): Promise<void> {
  const spends: Spend[] = budgets.map((b) => ({ key: `partner:${b.budget}:${partnerId}`, windowSeconds: WINDOW_SECONDS, limit: b.limit, amount: b.amount }));
  const exceeded = await options.store.spend(spends);
  if (!exceeded) return;
  const { budget } = budgets[exceeded.index];
  options.partners.overBudget.inc({ partner: partnerId, budget });
  const wait = retryAfterSeconds(exceeded.resetMs);
  throw rateLimited(`Partner ${partnerId} is over its ${budget === 'requests' ? 'requests' : 'cost units'} per minute; retry in ${wait} s`, wait);
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
          const cost = estimate(options, schema, document, operation, request.variables ?? {});
          await spend(options, partnerId, [
            { budget: 'requests', limit: partner.budgets.requestsPerMinute, amount: 1 },
            ...(cost > 0 ? [{ budget: 'cost' as const, limit: partner.budgets.costPerMinute, amount: cost }] : []),
          ]);
        },
      };
    },
  };
}
