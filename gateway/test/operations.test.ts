import fs from 'node:fs';
import path from 'node:path';
import { Supergraph } from '@apollo/federation-internals';
import { parse, validate } from 'graphql';

const root = path.resolve(__dirname, '../..');

describe('schema/operations', () => {
  it('are valid against the API schema of the committed supergraph (the SPA and partners call these)', () => {
    const api = Supergraph.build(fs.readFileSync(path.join(root, 'schema/supergraph.graphql'), 'utf8')).apiSchema().toGraphQLJSSchema();
    const folder = path.join(root, 'schema/operations');
    // Sub-folders hold other clients' operations (the fan app's, partners'): all are checked.
    const files = (fs.readdirSync(folder, { recursive: true }) as string[]).filter((f) => f.endsWith('.graphql'));
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) {
      const errors = validate(api, parse(fs.readFileSync(path.join(folder, file), 'utf8'))).map((e) => e.message);
      expect({ file, errors }).toEqual({ file, errors: [] });
    }
  });

  it('have their generated types up to date (run `npm run codegen` when this fails)', () => {
    const generated = fs.readFileSync(path.join(root, 'packages/testing/src/generated/operations.ts'), 'utf8');
    const names = fs
      .readdirSync(path.join(root, 'schema/operations'))
      // The top-level files are the ones generated into packages/testing.
      .filter((f) => f.endsWith('.graphql'))
      .flatMap((f) => [...fs.readFileSync(path.join(root, 'schema/operations', f), 'utf8').matchAll(/^(?:query|mutation|subscription) (\w+)/gm)].map((m) => m[1]));
    for (const name of names) expect(generated).toContain(`export const ${name}Document`);
  });
});
