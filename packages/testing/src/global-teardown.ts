import { stopAll } from './global-setup';

/** Stops what the global setup started, once (a run over several workspaces calls it per project). */
export default async function globalTeardown(): Promise<void> {
  const shared = globalThis as { __eventixInfra?: Parameters<typeof stopAll>[0] };
  const infra = shared.__eventixInfra;
  shared.__eventixInfra = undefined;
  await stopAll(infra);
}
