import fs from 'node:fs';
import http from 'node:http';
import { ApolloGateway, RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginLandingPageLocalDefault } from '@apollo/server/plugin/landingPage/default';
import { unauthenticated } from '@eventix/errors';
import { formatError, graphqlRequestListener, listen, sendJson, signInternalCredential, type Caller, type Route } from '@eventix/subgraph-kit';
import { DevIssuer, DEV_AUDIENCE, parseTokenRequest } from './auth/dev-issuer';
import { bearerToken, createTokenVerifier, InvalidTokenError, type TokenVerifier } from './auth/token-verifier';
import type { GatewayConfig } from './env';

export interface GatewayContext {
  caller: Caller;
}

/** Forwards each request to a subgraph with a credential only the gateway can mint. */
class AuthenticatedDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  constructor(
    private readonly subgraph: string,
    url: string,
    private readonly secret: string,
  ) {
    super({ url });
  }

  override async willSendRequest({ request, context }: GraphQLDataSourceProcessOptions<GatewayContext>): Promise<void> {
    const caller: Caller = 'caller' in context && context.caller ? context.caller : { permissions: [] };
    request.http?.headers.set('x-eventix-internal', await signInternalCredential(this.secret, caller, this.subgraph));
  }
}

export interface GatewayDeps {
  config: GatewayConfig;
  log: (message: string) => void;
}

export interface RunningGateway {
  url: string;
  /** Only in dev mode: mints tokens for the start-up banner and tests. */
  devIssuer?: DevIssuer;
  stop(): Promise<void>;
}

/**
 * The gateway: @apollo/gateway on @apollo/server serving the committed supergraph, with the
 * routing URLs from configuration. Verifies end-user tokens, and signs a per-subgraph internal
 * credential on every subgraph fetch.
 */
export async function startGateway({ config, log }: GatewayDeps): Promise<RunningGateway> {
  const supergraphSdl = fs.readFileSync(config.supergraphPath, 'utf8');
  const urls: Record<string, string> = config.subgraphUrls;
  const gateway = new ApolloGateway({
    supergraphSdl,
    buildService: ({ name, url }) => new AuthenticatedDataSource(name, urls[name] ?? String(url), config.internalSecret),
  });
  const httpServer = http.createServer();
  const routes: Record<string, Route> = { 'GET /health': (_req, _body, res) => sendJson(res, 200, { status: 'ok', service: 'gateway' }) };

  // The verifier needs the bound port in dev (the JWKS is served by this very server), so it
  // is created after listen(); requests cannot arrive before that anyway.
  let verify: TokenVerifier | undefined;
  let devIssuer: DevIssuer | undefined;

  const apollo = new ApolloServer<GatewayContext>({
    gateway,
    introspection: config.introspection,
    csrfPrevention: true,
    includeStacktraceInErrorResponses: false,
    formatError: formatError(log),
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer }),
      config.production ? ApolloServerPluginLandingPageDisabled() : ApolloServerPluginLandingPageLocalDefault({ embed: true, footer: false }),
    ],
  });
  await apollo.start();

  httpServer.on(
    'request',
    graphqlRequestListener<GatewayContext>({
      apollo,
      routes,
      log,
      context: async (req) => {
        try {
          const token = bearerToken(req.headers.authorization);
          if (!token) return { caller: { permissions: [] } };
          if (!verify) throw new InvalidTokenError('gateway is starting');
          return { caller: await verify(token) };
        } catch (error) {
          if (error instanceof InvalidTokenError) throw unauthenticated(`Invalid access token (${error.reason})`);
          throw error;
        }
      },
    }),
  );
  const port = await listen(httpServer, config.http.port, config.http.host);
  const baseUrl = `http://${config.http.host}:${port}`;

  if (config.auth.kind === 'auth0') {
    const issuer = `https://${config.auth.domain}/`;
    verify = createTokenVerifier({ jwksUrl: new URL('.well-known/jwks.json', issuer), issuer, audience: config.auth.audience });
  } else {
    devIssuer = await DevIssuer.create(`${baseUrl}/`, config.auth.keyFile);
    const issuer = devIssuer;
    routes['GET /.well-known/jwks.json'] = (_req, _body, res) => sendJson(res, 200, issuer.jwks(), { 'cache-control': 'public, max-age=300' });
    routes['POST /dev/token'] = async (_req, body, res) => {
      let parsed: unknown;
      try {
        parsed = JSON.parse(body.toString('utf8') || '{}');
      } catch {
        sendJson(res, 400, { error: 'body must be JSON' });
        return;
      }
      const request = parseTokenRequest(parsed);
      if ('error' in request) {
        sendJson(res, 400, { error: request.error });
        return;
      }
      sendJson(res, 200, { token: await issuer.issue(request.sub, request.permissions) });
    };
    verify = createTokenVerifier({ jwksUrl: new URL(`${baseUrl}/.well-known/jwks.json`), issuer: issuer.issuer, audience: DEV_AUDIENCE });
  }

  return {
    url: `${baseUrl}/graphql`,
    devIssuer,
    stop: async () => {
      await apollo.stop();
    },
  };
}
