import type { GraphQLSchema, OperationDefinitionNode } from 'graphql';
import type { CostModel } from './cost';
import type { OperationCheck } from './operation-limits';

/** At most this many sets of variables are remembered per operation (the oldest goes first). */
export const MAX_VARIABLE_SETS_PER_OPERATION = 64;
/** Variables longer than this as JSON, or with more values than the next, are checked every time and not kept. */
export const MAX_REMEMBERED_VARIABLES_CHARS = 1_024;
export const MAX_REMEMBERED_VARIABLES_VALUES = 100;

/** One operation's passed checks (estimated cost by variables), valid for the schema and cost model they were made with. */
interface OperationEntry {
  schema: GraphQLSchema;
  model: CostModel;
  estimatedByVariables: Map<string, number>;
}

/**
 * The operation checks (structure and estimated cost) that passed, remembered per parsed
 * operation and variables. Apollo Server keeps one DocumentNode per query text in its document
 * store, so an app or partner sending the same operation again brings the same objects: the
 * walk of its selections (6–7 % of the gateway's CPU per request in #16's profile) is done once
 * per operation and set of variables, not per request. Kept by the operation's node, which
 * belongs to one parsed document (its fragments come from there), so each operation of a
 * document with several has its own. The verdict depends on nothing else: the limits are fixed
 * per plugin, and a reloaded supergraph (new schema or cost model) starts over.
 * Refusals are not kept: they are rare, and each request gets an error object of its own.
 */
export class PassedChecks {
  private readonly byOperation = new WeakMap<OperationDefinitionNode, OperationEntry>();

  constructor(private readonly maxVariableSets = MAX_VARIABLE_SETS_PER_OPERATION) {}

  /**
   * The verdict for this operation (of a parsed document) and variables: remembered when an
   * earlier request with the same operation and variables passed, else `check()`'s, kept when
   * it passed.
   */
  verdict(schema: GraphQLSchema, model: CostModel, operation: OperationDefinitionNode, variables: Record<string, unknown>, check: () => OperationCheck): OperationCheck {
    const key = variablesKey(variables);
    if (key === undefined) return check();
    let entry = this.byOperation.get(operation);
    if (entry && entry.schema === schema && entry.model === model) {
      const estimated = entry.estimatedByVariables.get(key);
      if (estimated !== undefined) return { estimated };
    } else {
      entry = { schema, model, estimatedByVariables: new Map() };
      this.byOperation.set(operation, entry);
    }
    const verdict = check();
    if (verdict.error || verdict.estimated === undefined) return verdict;
    const remembered = entry.estimatedByVariables;
    if (remembered.size >= this.maxVariableSets) remembered.delete(remembered.keys().next().value!);
    remembered.set(key, verdict.estimated);
    return verdict;
  }
}

const TOO_MANY_VALUES = new Error('too many values to remember');

/**
 * The variables as JSON, or undefined when too big to keep (or not serialisable). Serialising
 * stops at the first value past the limit: a venue's 20,000 seats are not turned into a
 * megabyte of text only to be thrown away.
 */
function variablesKey(variables: Record<string, unknown>): string | undefined {
  let values = 0;
  let key: string;
  try {
    key = JSON.stringify(variables, (_name, value: unknown) => {
      if (++values > MAX_REMEMBERED_VARIABLES_VALUES) throw TOO_MANY_VALUES;
      return value;
    });
  } catch {
    return undefined;
  }
  return key.length <= MAX_REMEMBERED_VARIABLES_CHARS ? key : undefined;
}
