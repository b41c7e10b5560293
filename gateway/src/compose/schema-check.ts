import 'reflect-metadata';
import fs from 'node:fs';
import path from 'node:path';
import { Supergraph } from '@apollo/federation-internals';
import { CriticalityLevel, diff, type Change } from '@graphql-inspector/core';
import { parse, validate, type GraphQLSchema } from 'graphql';
import { committedSupergraphPath } from '../env';
import { parseManifest, type ManifestOperation } from '../partners/manifest';
import { repoFile } from '../partners/paths';
import { composeSupergraph, CompositionError } from './compose';

/** A manifest operation the new API schema no longer accepts, with the validation errors. */
export interface BrokenOperation {
  name: string;
  id: string;
  errors: string[];
}

export interface SchemaCheckResult {
  /** True when nothing breaks: no breaking change and every manifest operation still valid. */
  ok: boolean;
  breaking: Change[];
  dangerous: Change[];
  brokenOperations: BrokenOperation[];
}

/** The API schema (what clients can call) of a supergraph SDL. */
export const apiSchemaOf = (supergraphSdl: string): GraphQLSchema => Supergraph.build(supergraphSdl).apiSchema().toGraphQLJSSchema();

/**
 * Compares two supergraphs' API schemas with @graphql-inspector/core and validates every
 * manifest operation against the new one. Breaking changes or a broken operation fail the check.
 */
export async function checkSchema(previousSupergraph: string, nextSupergraph: string, operations: Iterable<ManifestOperation>): Promise<SchemaCheckResult> {
  const next = apiSchemaOf(nextSupergraph);
  const changes = await diff(apiSchemaOf(previousSupergraph), next);
  const breaking = changes.filter((c) => c.criticality.level === CriticalityLevel.Breaking);
  const dangerous = changes.filter((c) => c.criticality.level === CriticalityLevel.Dangerous);
  const brokenOperations: BrokenOperation[] = [];
  for (const op of operations) {
    const errors = validate(next, parse(op.body)).map((e) => e.message);
    if (errors.length) brokenOperations.push({ name: op.name, id: op.id, errors });
  }
  return { ok: breaking.length === 0 && brokenOperations.length === 0, breaking, dangerous, brokenOperations };
}

/** The check's report, one line per finding. */
export function schemaCheckReport(result: SchemaCheckResult): string[] {
  const lines = [
    ...result.breaking.map((c) => `BREAKING  ${c.path ?? ''}: ${c.message}`),
    ...result.dangerous.map((c) => `dangerous ${c.path ?? ''}: ${c.message}`),
    ...result.brokenOperations.map((op) => `partner operation ${op.name} (${op.id}) would break: ${op.errors.join('; ')}`),
  ];
  if (result.ok) lines.push('schema check passed: no breaking change, every manifest operation is valid');
  else lines.push(`schema check FAILED: ${result.breaking.length} breaking change(s), ${result.brokenOperations.length} partner operation(s) broken`);
  return lines;
}

/** `npm run schema:check`: the subgraphs as they are now against the committed supergraph. */
async function main(): Promise<number> {
  const committed = fs.readFileSync(committedSupergraphPath(), 'utf8');
  const manifestPath = process.env.PERSISTED_QUERIES_PATH || repoFile('schema/persisted-queries.json');
  const manifest = parseManifest(fs.readFileSync(manifestPath, 'utf8'), path.relative(process.cwd(), manifestPath));
  const result = await checkSchema(committed, await composeSupergraph(), manifest.values());
  for (const line of schemaCheckReport(result)) console.log(line);
  return result.ok ? 0 : 1;
}

if (require.main === module) {
  main()
    .then((code) => process.exit(code))
    .catch((error: Error) => {
      console.error(error instanceof CompositionError ? error.message : error.stack);
      process.exit(1);
    });
}
