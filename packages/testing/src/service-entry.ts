import fs from 'node:fs';
import path from 'node:path';
import { repoRoot } from '@eventix/local-infra';

/** The workspace folder of each service, from the repository root. */
export const SERVICE_WORKSPACES = {
  gateway: 'gateway',
  catalog: 'subgraphs/catalog',
  booking: 'subgraphs/booking',
  payment: 'subgraphs/payment',
} as const;

export type ServiceWorkspace = keyof typeof SERVICE_WORKSPACES;

/**
 * The built file a service's own `npm start` runs (the `start` script of its package.json), so
 * tests that start services as processes, and docker-compose's structure test, run and check
 * exactly that entry point rather than a second spelling of it.
 */
export function serviceEntry(service: ServiceWorkspace): { absolute: string; fromRoot: string } {
  const workspace = SERVICE_WORKSPACES[service];
  const manifest = JSON.parse(fs.readFileSync(path.join(repoRoot(), workspace, 'package.json'), 'utf8')) as { scripts?: { start?: string } };
  const match = /^node (\S+)$/.exec(manifest.scripts?.start ?? '');
  if (!match) throw new Error(`${workspace}/package.json: the start script is not "node <file>": ${manifest.scripts?.start}`);
  const fromRoot = path.posix.join(workspace, match[1]);
  return { absolute: path.join(repoRoot(), fromRoot), fromRoot };
}
