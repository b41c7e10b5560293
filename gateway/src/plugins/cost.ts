import {
  getArgumentValues,
  getDirectiveValues,
  getNamedType,
  getNullableType,
  GraphQLIncludeDirective,
  GraphQLSkipDirective,
  isCompositeType,
  isInterfaceType,
  isListType,
  isObjectType,
  Kind,
  parse,
  valueFromASTUntyped,
  type DirectiveNode,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLField,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';

/**
 * Cost analysis after the IBM GraphQL Cost Directives specification, as Apollo Router's demand
 * control and Hive Router implement it. The subgraphs declare `@cost(weight:)` and
 * `@listSize(assumedSize:, slicingArguments:, sizedFields:, requireOneSlicingArgument:)` where
 * the data lives; composition (Federation 2.9) copies them into the supergraph, and the gateway
 * reads them from there.
 *
 * Scoring (the same rules as Apollo Router's static estimate):
 * - a field costs its `@cost` weight, else its type's `@cost` weight, else 1 for an object,
 *   interface or union and 0 for a scalar or enum;
 * - a list field's cost (weight plus its selection) is multiplied by its size: the size a parent's
 *   `sizedFields` hands down, else the largest slicing argument given, else `assumedSize`, else
 *   the gateway's default list size;
 * - an argument with `@cost` adds its weight when given; a mutation adds 10.
 * Fragments are counted as written (the estimate is an upper bound); `@skip`/`@include` are
 * honoured.
 */

/** What `@listSize` says about one field. */
export interface ListSize {
  assumedSize?: number;
  slicingArguments?: string[];
  sizedFields?: string[];
  requireOneSlicingArgument: boolean;
}

/** Added to every mutation's cost, as Apollo Router does. */
export const MUTATION_BASE_COST = 10;

const COST_SPEC = 'https://specs.apollo.dev/cost/';

/** The cost directives of a supergraph, by `Type.field`, `Type.field(arg:)` and type name. */
export class CostModel {
  private constructor(
    readonly fieldWeights: ReadonlyMap<string, number>,
    readonly typeWeights: ReadonlyMap<string, number>,
    readonly argumentWeights: ReadonlyMap<string, number>,
    readonly listSizes: ReadonlyMap<string, ListSize>,
  ) {}

  /** Reads `@cost` and `@listSize` from a supergraph SDL, under whatever names its `@link` gives them. */
  static fromSupergraph(sdl: string): CostModel {
    const document = parse(sdl);
    const { costName, listSizeName } = costDirectiveNames(document);
    const fieldWeights = new Map<string, number>();
    const typeWeights = new Map<string, number>();
    const argumentWeights = new Map<string, number>();
    const listSizes = new Map<string, ListSize>();
    const weightOf = (directives: readonly DirectiveNode[] | undefined) => {
      const cost = directives?.find((d) => d.name.value === costName);
      const weight = cost ? argumentsOf(cost).weight : undefined;
      return typeof weight === 'number' ? weight : undefined;
    };
    for (const def of document.definitions) {
      if (!('name' in def) || !def.name || !('directives' in def)) continue;
      const typeName = def.name.value;
      const typeWeight = weightOf(def.directives);
      if (typeWeight !== undefined) typeWeights.set(typeName, typeWeight);
      if (!('fields' in def) || !def.fields) continue;
      for (const field of def.fields) {
        const coordinate = `${typeName}.${field.name.value}`;
        const weight = weightOf(field.directives);
        if (weight !== undefined) fieldWeights.set(coordinate, weight);
        const listSize = field.directives?.find((d) => d.name.value === listSizeName);
        if (listSize) listSizes.set(coordinate, listSizeOf(listSize));
        for (const arg of 'arguments' in field ? (field.arguments ?? []) : []) {
          const argWeight = weightOf(arg.directives);
          if (argWeight !== undefined) argumentWeights.set(`${coordinate}(${arg.name.value}:)`, argWeight);
        }
      }
    }
    return new CostModel(fieldWeights, typeWeights, argumentWeights, listSizes);
  }
}

/**
 * The names `@cost` and `@listSize` go by in this supergraph, from the cost spec's `@link`
 * (composition imports `@listSize`; `@cost` is the spec's own name), so a renamed import is
 * still found.
 */
function costDirectiveNames(document: DocumentNode): { costName: string; listSizeName: string } {
  let costName = 'cost';
  let listSizeName = 'cost__listSize';
  for (const def of document.definitions) {
    if (def.kind !== Kind.SCHEMA_DEFINITION && def.kind !== Kind.SCHEMA_EXTENSION) continue;
    for (const link of def.directives ?? []) {
      const args = argumentsOf(link);
      if (link.name.value !== 'link' || typeof args.url !== 'string' || !args.url.startsWith(COST_SPEC)) continue;
      const prefix = typeof args.as === 'string' ? args.as : 'cost';
      costName = prefix;
      listSizeName = `${prefix}__listSize`;
      for (const entry of Array.isArray(args.import) ? args.import : []) {
        if (entry === '@listSize') listSizeName = 'listSize';
        if (entry === '@cost') costName = 'cost';
        if (entry && typeof entry === 'object' && 'name' in entry) {
          const { name, as } = entry as { name: string; as?: string };
          if (name === '@listSize') listSizeName = (as ?? name).slice(1);
          if (name === '@cost') costName = (as ?? name).slice(1);
        }
      }
    }
  }
  return { costName, listSizeName };
}

/** A field's `@listSize` arguments (requireOneSlicingArgument defaults to true, as the spec says). */
function listSizeOf(directive: DirectiveNode): ListSize {
  const args = argumentsOf(directive);
  return {
    assumedSize: typeof args.assumedSize === 'number' ? args.assumedSize : undefined,
    slicingArguments: Array.isArray(args.slicingArguments) ? (args.slicingArguments as string[]) : undefined,
    sizedFields: Array.isArray(args.sizedFields) ? (args.sizedFields as string[]) : undefined,
    requireOneSlicingArgument: args.requireOneSlicingArgument !== false,
  };
}

function argumentsOf(directive: DirectiveNode): Record<string, unknown> {
  return Object.fromEntries((directive.arguments ?? []).map((a) => [a.name.value, valueFromASTUntyped(a.value)]));
}

/** A slicing argument outside the rules: none or several given, or a size above the maximum. */
export class SlicingViolation extends Error {}

export interface CostOptions {
  /** Size of a list without `@listSize` (nor a parent's `sizedFields`). */
  defaultListSize: number;
  /** Largest value a slicing argument (`first`) may take; larger is refused before planning. */
  maxSlice: number;
}

type Variables = Record<string, unknown>;

interface Walk {
  schema: GraphQLSchema;
  model: CostModel;
  fragments: Map<string, FragmentDefinitionNode>;
  variables: Variables;
  options: CostOptions;
}

const fragmentsOf = (document: DocumentNode) => {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const def of document.definitions) if (def.kind === Kind.FRAGMENT_DEFINITION) fragments.set(def.name.value, def);
  return fragments;
};

const rootType = (schema: GraphQLSchema, operation: OperationDefinitionNode) =>
  operation.operation === 'query' ? schema.getQueryType() : operation.operation === 'mutation' ? schema.getMutationType() : schema.getSubscriptionType();

function fieldDef(parent: GraphQLCompositeType | undefined | null, name: string): GraphQLField<unknown, unknown> | undefined {
  return parent && (isObjectType(parent) || isInterfaceType(parent)) ? parent.getFields()[name] : undefined;
}

function included(walk: Walk, node: { directives?: readonly DirectiveNode[] }): boolean {
  if (!node.directives?.length) return true;
  try {
    if (getDirectiveValues(GraphQLSkipDirective, node, walk.variables)?.if === true) return false;
    if (getDirectiveValues(GraphQLIncludeDirective, node, walk.variables)?.if === false) return false;
  } catch {
    // An uncoercible condition is refused by variable validation; count the field meanwhile.
  }
  return true;
}

function weightOf(model: CostModel, parentName: string, field: GraphQLField<unknown, unknown>): number {
  const own = model.fieldWeights.get(`${parentName}.${field.name}`);
  if (own !== undefined) return own;
  const named = getNamedType(field.type);
  return model.typeWeights.get(named.name) ?? (isCompositeType(named) ? 1 : 0);
}

/** The sizes a field's slicing arguments ask for, checking the slicing rules. */
function slicingSize(walk: Walk, coordinate: string, listSize: ListSize, args: Record<string, unknown>): number | undefined {
  if (!listSize.slicingArguments?.length) return undefined;
  const given = listSize.slicingArguments.map((name) => [name, args[name]] as const).filter(([, value]) => value !== undefined && value !== null);
  if (listSize.requireOneSlicingArgument && given.length !== 1) {
    throw new SlicingViolation(`${coordinate} needs exactly one of ${listSize.slicingArguments.join(', ')}`);
  }
  let size: number | undefined;
  for (const [name, value] of given) {
    if (typeof value !== 'number') continue;
    if (value < 0 || value > walk.options.maxSlice) throw new SlicingViolation(`${coordinate}(${name}:) must be between 0 and ${walk.options.maxSlice}`);
    size = Math.max(size ?? 0, value);
  }
  return size;
}

function argumentValues(walk: Walk, field: GraphQLField<unknown, unknown>, node: FieldNode): Record<string, unknown> {
  try {
    return getArgumentValues(field, node, walk.variables);
  } catch {
    // Bad variables are refused by variable validation; size from literals meanwhile.
    return Object.fromEntries((node.arguments ?? []).map((a) => [a.name.value, valueFromASTUntyped(a.value, walk.variables)]));
  }
}

function estimateSelection(walk: Walk, selectionSet: SelectionSetNode, parent: GraphQLCompositeType | undefined | null, sized?: { fields: string[]; size: number }): number {
  let cost = 0;
  for (const selection of selectionSet.selections) {
    if (!included(walk, selection)) continue;
    if (selection.kind === Kind.FIELD) {
      cost += estimateField(walk, selection, parent, sized);
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      const typed = selection.typeCondition ? walk.schema.getType(selection.typeCondition.name.value) : parent;
      cost += estimateSelection(walk, selection.selectionSet, typed && isCompositeType(typed) ? typed : parent, sized);
    } else {
      const fragment = walk.fragments.get(selection.name.value);
      if (!fragment) continue; // unknown fragments and cycles are refused by validation
      const typed = walk.schema.getType(fragment.typeCondition.name.value);
      cost += estimateSelection(walk, fragment.selectionSet, typed && isCompositeType(typed) ? typed : parent, sized);
    }
  }
  return cost;
}

function estimateField(walk: Walk, node: FieldNode, parent: GraphQLCompositeType | undefined | null, sized?: { fields: string[]; size: number }): number {
  if (node.name.value.startsWith('__')) return 0;
  const field = fieldDef(parent, node.name.value);
  if (!field || !parent) return 0;
  const coordinate = `${parent.name}.${field.name}`;
  const listSize = walk.model.listSizes.get(coordinate);
  const args = argumentValues(walk, field, node);
  const slice = listSize ? slicingSize(walk, coordinate, listSize, args) : undefined;
  const ownSize = slice ?? listSize?.assumedSize;
  let count = 1;
  if (isListType(getNullableType(field.type))) {
    if (sized?.fields.includes(field.name)) count = sized.size;
    else count = ownSize ?? walk.options.defaultListSize;
  }
  const named = getNamedType(field.type);
  const childSized = listSize?.sizedFields?.length ? { fields: listSize.sizedFields, size: ownSize ?? walk.options.defaultListSize } : undefined;
  const children = node.selectionSet ? estimateSelection(walk, node.selectionSet, isCompositeType(named) ? named : undefined, childSized) : 0;
  let argumentCost = 0;
  for (const argument of node.arguments ?? []) argumentCost += walk.model.argumentWeights.get(`${coordinate}(${argument.name.value}:)`) ?? 0;
  return count * (weightOf(walk.model, parent.name, field) + children) + argumentCost;
}

/**
 * The estimated cost of one operation; throws SlicingViolation when a slicing argument breaks
 * the rules (`requireOneSlicingArgument`, or above `maxSlice`).
 */
export function estimateCost(schema: GraphQLSchema, model: CostModel, document: DocumentNode, operation: OperationDefinitionNode, variables: Variables, options: CostOptions): number {
  const walk: Walk = { schema, model, fragments: fragmentsOf(document), variables, options };
  const base = operation.operation === 'mutation' ? MUTATION_BASE_COST : 0;
  return base + estimateSelection(walk, operation.selectionSet, rootType(schema, operation));
}

/**
 * The actual cost of a result: the same weights, with each list counted at the length it came
 * back with (null costs nothing). Fields are merged by response key as execution merges them,
 * so unlike the estimate a repeated field counts once.
 */
export function actualCost(schema: GraphQLSchema, model: CostModel, document: DocumentNode, operation: OperationDefinitionNode, variables: Variables, data: unknown): number {
  const walk: ResultWalk = { schema, model, fragments: fragmentsOf(document), variables, options: { defaultListSize: 0, maxSlice: Infinity }, planned: new Map() };
  const base = operation.operation === 'mutation' ? MUTATION_BASE_COST : 0;
  return base + actualSelections(walk, [operation.selectionSet], rootType(schema, operation), data);
}

function collect(walk: Walk, selectionSets: readonly SelectionSetNode[], parent: GraphQLCompositeType | undefined | null, into = new Map<string, { node: FieldNode; parent: GraphQLCompositeType; sets: SelectionSetNode[] }>()) {
  for (const set of selectionSets) {
    for (const selection of set.selections) {
      if (!included(walk, selection)) continue;
      if (selection.kind === Kind.FIELD) {
        if (!parent || selection.name.value.startsWith('__')) continue;
        const key = selection.alias?.value ?? selection.name.value;
        const entry = into.get(key) ?? { node: selection, parent, sets: [] };
        if (selection.selectionSet) entry.sets.push(selection.selectionSet);
        into.set(key, entry);
      } else {
        const fragment = selection.kind === Kind.INLINE_FRAGMENT ? selection : walk.fragments.get(selection.name.value);
        if (!fragment) continue;
        const typed = fragment.typeCondition ? walk.schema.getType(fragment.typeCondition.name.value) : parent;
        collect(walk, [fragment.selectionSet], typed && isCompositeType(typed) ? typed : parent, into);
      }
    }
  }
  return into;
}

/**
 * One field of a selection as the result walk needs it, worked out once per (selection sets,
 * parent type): its response key, weight, argument weights and what lies below it. Every item
 * of a list shares its selection sets, and working this out again per item — collecting the
 * merged fields, the weight's coordinate string, the named type — made the walk over a
 * 20,000-seat map the largest share of the gateway's CPU for that request (#16).
 */
interface PlannedField {
  key: string;
  weight: number;
  argumentCost: number;
  childSets: SelectionSetNode[];
  childParent: GraphQLCompositeType | undefined;
}

interface ResultWalk extends Walk {
  planned: Map<readonly SelectionSetNode[], Map<string | undefined, PlannedField[]>>;
}

function planOnce(walk: ResultWalk, sets: readonly SelectionSetNode[], parent: GraphQLCompositeType | undefined | null): PlannedField[] {
  let byParent = walk.planned.get(sets);
  if (!byParent) walk.planned.set(sets, (byParent = new Map()));
  let fields = byParent.get(parent?.name);
  if (!fields) byParent.set(parent?.name, (fields = plan(walk, sets, parent)));
  return fields;
}

function plan(walk: ResultWalk, sets: readonly SelectionSetNode[], parent: GraphQLCompositeType | undefined | null): PlannedField[] {
  const fields: PlannedField[] = [];
  for (const [key, { node, parent: owner, sets: childSets }] of collect(walk, sets, parent)) {
    const field = fieldDef(owner, node.name.value);
    if (!field) continue;
    let argumentCost = 0;
    for (const argument of node.arguments ?? []) argumentCost += walk.model.argumentWeights.get(`${owner.name}.${field.name}(${argument.name.value}:)`) ?? 0;
    const named = getNamedType(field.type);
    fields.push({ key, weight: weightOf(walk.model, owner.name, field), argumentCost, childSets, childParent: isCompositeType(named) ? named : undefined });
  }
  return fields;
}

function actualSelections(walk: ResultWalk, sets: readonly SelectionSetNode[], parent: GraphQLCompositeType | undefined | null, value: unknown): number {
  if (value === null || typeof value !== 'object') return 0;
  const object = value as Record<string, unknown>;
  let cost = 0;
  for (const field of planOnce(walk, sets, parent)) {
    if (!(field.key in object)) continue; // another type's fragment, or not resolved
    cost += score(walk, field, object[field.key]) + field.argumentCost;
  }
  return cost;
}

/** A field's value: its weight per non-null item (lists counted at their length), plus what lies below each. */
function score(walk: ResultWalk, field: PlannedField, item: unknown): number {
  if (item === null || item === undefined) return 0;
  if (Array.isArray(item)) {
    let sum = 0;
    for (const each of item) sum += score(walk, field, each);
    return sum;
  }
  return field.weight + (field.childSets.length ? actualSelections(walk, field.childSets, field.childParent, item) : 0);
}
