import { startWebServer } from './index';

/**
 * The fan app on its own (docker compose's `web` service): WEB_PORT (4200), WEB_HOST
 * (127.0.0.1), PUBLIC_GATEWAY_URL = the gateway as the browser reaches it, and for Auth0:
 * AUTH0_DOMAIN, AUTH0_SPA_CLIENT_ID, AUTH0_AUDIENCE.
 */
async function main(): Promise<void> {
  const env = process.env;
  const auth0 = env.AUTH0_DOMAIN && env.AUTH0_SPA_CLIENT_ID && env.AUTH0_AUDIENCE ? { kind: 'auth0' as const, domain: env.AUTH0_DOMAIN, clientId: env.AUTH0_SPA_CLIENT_ID, audience: env.AUTH0_AUDIENCE } : { kind: 'dev' as const };
  const web = await startWebServer({
    port: Number(env.WEB_PORT ?? 4200),
    host: env.WEB_HOST ?? '127.0.0.1',
    config: { gatewayUrl: env.PUBLIC_GATEWAY_URL ?? 'http://localhost:4000/graphql', auth: auth0, maxSeatsPerBooking: Number(env.MAX_SEATS_PER_BOOKING ?? 10) },
  });
  console.log(`The fan app is at ${web.url}`);
  const stop = () => void web.stop().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error: Error) => {
  console.error(`[web] ${error.message}`);
  process.exit(1);
});
