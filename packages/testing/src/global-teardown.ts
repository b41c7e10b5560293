import { stopAll } from './global-setup';

export default async function globalTeardown(): Promise<void> {
  const infra = (globalThis as { __eventixInfra?: Parameters<typeof stopAll>[0] }).__eventixInfra;
  await stopAll(infra);
}
