import 'reflect-metadata';
import fs from 'node:fs';
import path from 'node:path';
import { composeServices } from '@apollo/composition';
import { generatePersistedQueryManifest } from '@apollo/generate-persisted-query-manifest';
import { parse } from 'graphql';
import { defaultSubgraphUrls } from '../src/compose/compose';
import { checkSchema, schemaCheckReport } from '../src/compose/schema-check';
import { subgraphSdl, type SubgraphName } from '../src/compose/subgraph-sdl';
import { parseManifest } from '../src/partners/manifest';

const root = path.resolve(__dirname, '../..');
const MANIFEST = path.join(root, 'schema/persisted-queries.json');
const manifest = () => parseManifest(fs.readFileSync(MANIFEST, 'utf8'), MANIFEST);

function compose(sdl: Record<SubgraphName, string>): string {
  const result = composeServices(Object.entries(sdl).map(([name, typeDefs]) => ({ name, url: defaultSubgraphUrls[name as SubgraphName], typeDefs: parse(typeDefs) })));
  if (!result.supergraphSdl) throw new Error(result.errors?.map((e) => e.message).join('\n'));
  return result.supergraphSdl;
}

/** Renames one field of one type in a subgraph's SDL (the real subgraphs stay as they are). */
function renameField(sdl: string, type: string, from: string, to: string): string {
  const start = sdl.search(new RegExp(`^type ${type}\\b`, 'm'));
  const end = sdl.indexOf('\n}', start);
  const block = sdl.slice(start, end).replace(new RegExp(`^(\\s+)${from}(\\W)`, 'm'), `$1${to}$2`);
  if (block === sdl.slice(start, end)) throw new Error(`${type}.${from} not found`);
  return sdl.slice(0, start) + block + sdl.slice(end);
}

describe('schema/persisted-queries.json', () => {
  it('is what `npm run codegen` produces from schema/operations/partner (run it and commit when this fails)', async () => {
    // The same call as codegen.ts: Apollo's generator over the partner folder, sorted by name.
    const generated = await generatePersistedQueryManifest({ documents: [path.join(root, 'schema/operations/partner/*.graphql')] }, undefined);
    generated.operations.sort((a, b) => a.name.localeCompare(b.name));
    expect(fs.readFileSync(MANIFEST, 'utf8')).toBe(`${JSON.stringify(generated, null, 2)}\n`);
  });
});

describe('npm run schema:check', () => {
  let sdl: Record<SubgraphName, string>;
  let baseline: string;
  beforeAll(async () => {
    sdl = await subgraphSdl();
    baseline = compose(sdl);
  });

  it('passes when the subgraphs compose to the same API', async () => {
    const result = await checkSchema(baseline, baseline, manifest().values());
    expect(result.ok).toBe(true);
    expect(schemaCheckReport(result).pop()).toMatch(/passed/);
  });

  it('fails when a partner-used field is renamed, naming the change and every operation it breaks', async () => {
    const renamed = compose({ ...sdl, catalog: renameField(sdl.catalog, 'Event', 'title', 'name') });
    const result = await checkSchema(baseline, renamed, manifest().values());
    expect(result.ok).toBe(false);
    expect(result.breaking.map((c) => c.path)).toContain('Event.title');
    expect(result.brokenOperations.map((op) => op.name).sort()).toEqual(['PartnerBooking', 'PartnerOnSaleEvents', 'PartnerSeatMap']);
    const report = schemaCheckReport(result).join('\n');
    expect(report).toMatch(/partner operation PartnerOnSaleEvents \([0-9a-f]{64}\) would break: Cannot query field "title" on type "Event"/);
    expect(report).toMatch(/schema check FAILED: \d+ breaking change\(s\), 3 partner operation\(s\) broken/);
  });
});
