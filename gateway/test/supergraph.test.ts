import fs from 'node:fs';
import path from 'node:path';
import { composeSupergraph } from '../src/compose/compose';

describe('schema/supergraph.graphql', () => {
  it('is what `npm run compose` produces from the current subgraphs (run it and commit when this fails)', async () => {
    const committed = fs.readFileSync(path.resolve(__dirname, '../../schema/supergraph.graphql'), 'utf8');
    expect(await composeSupergraph()).toBe(committed);
  });
});
