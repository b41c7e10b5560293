import 'reflect-metadata';
import fs from 'node:fs';
import path from 'node:path';
import { committedSupergraphPath } from '../env';
import { composeSupergraph, CompositionError } from './compose';

/** `npm run compose`: writes schema/supergraph.graphql (committed; a test fails when stale). */
export const SUPERGRAPH_PATH = committedSupergraphPath();

if (require.main === module) {
  composeSupergraph()
    .then((sdl) => {
      fs.writeFileSync(SUPERGRAPH_PATH, sdl);
      console.log(`wrote ${path.relative(process.cwd(), SUPERGRAPH_PATH)}`);
    })
    .catch((error: Error) => {
      console.error(error instanceof CompositionError ? error.message : error.stack);
      process.exit(1);
    });
}
