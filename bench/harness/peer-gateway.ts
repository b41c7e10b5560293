import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { repoRoot } from '@eventix/local-infra';
import type { ServiceProcess } from '@eventix/testing';
import type { BenchPlatform } from './platform';

/**
 * Hive Gateway (@graphql-hive/gateway, its CLI and defaults: in-flight deduplication of
 * identical subgraph fetches on) serving the committed supergraph with its routing URLs pointed
 * at the platform's subgraphs, as a process of its own. Signed-in callers' tokens are the
 * platform's dev-issuer tokens; see hive/gateway-config.ts for how the internal credential is
 * attached.
 */
export async function startHiveGateway(platform: BenchPlatform): Promise<ServiceProcess> {
  const supergraph = fs
    .readFileSync(path.join(repoRoot(), 'schema/supergraph.graphql'), 'utf8')
    .replace(/@join__graph\(name: "(catalog|booking|payment)", url: "[^"]*"\)/g, (_, name: 'catalog' | 'booking' | 'payment') => `@join__graph(name: "${name}", url: "${platform.subgraphUrls[name]}")`);
  const supergraphPath = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'eventix-bench-hive-')), 'supergraph.graphql');
  fs.writeFileSync(supergraphPath, supergraph);
  const gatewayEnv = platform.gatewayProcessEnv();
  return platform.startProcess(
    'hive-gateway',
    path.join(__dirname, 'hive/entry.js'),
    (port) => ({
      NODE_ENV: gatewayEnv.NODE_ENV,
      PORT: String(port),
      HIVE_SUPERGRAPH_PATH: supergraphPath,
      INTERNAL_JWT_SECRET: platform.internalSecret,
      DEV_ISSUER_KEY_FILE: gatewayEnv.DEV_ISSUER_KEY_FILE,
      EVENTIX_TOKEN_ISSUER: platform.tokenIssuer,
    }),
    '/readiness',
  );
}
