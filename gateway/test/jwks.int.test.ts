import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import { freePort, killWhenParentDies } from '@eventix/local-infra';
import { serviceEntry, waitFor } from '@eventix/testing';

/**
 * Auth0 mode against a real HTTPS JWKS endpoint: a local server with a certificate from a CA
 * made here, trusted by the gateway process only through NODE_EXTRA_CA_CERTS — the gateway runs
 * from its build exactly as in production (AUTH0_DOMAIN/AUTH0_AUDIENCE, issuer and JWKS address
 * pointed at the local server, a short refetch cooldown so the test need not wait 30 s).
 */
const COOLDOWN_MS = 3_000;
const AUDIENCE = 'https://api.eventix.test';

interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
  jwk: JWK;
}

async function signingKey(kid: string): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  return { kid, privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' } };
}

function makeCertificates(dir: string): { ca: string; key: string; cert: string } {
  const run = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  run('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '1', '-subj', '/CN=Eventix test CA', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign');
  run('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=127.0.0.1');
  fs.writeFileSync(path.join(dir, 'ext.cnf'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n');
  run('x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.pem', '-days', '1', '-extfile', 'ext.cnf');
  const read = (file: string) => fs.readFileSync(path.join(dir, file), 'utf8');
  return { ca: path.join(dir, 'ca.pem'), key: read('server.key'), cert: read('server.pem') };
}

describe('Auth0 mode: tokens verified against an HTTPS JWKS that rotates', () => {
  let dir: string;
  let tls: ReturnType<typeof makeCertificates>;
  let jwksPort: number;
  let jwks: https.Server | undefined;
  let published: SigningKey[] = [];
  const fetches: number[] = [];
  let gateway: ChildProcess;
  let gatewayUrl: string;
  let output = '';
  let keyA: SigningKey;
  let keyB: SigningKey;
  let issuer: string;

  const startJwks = async () => {
    jwks = https.createServer({ key: tls.key, cert: tls.cert }, (req, res) => {
      if (req.url !== '/.well-known/jwks.json') return void res.writeHead(404).end();
      fetches.push(Date.now());
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: published.map((k) => k.jwk) }));
    });
    await new Promise<void>((resolve) => jwks!.listen(jwksPort, '127.0.0.1', resolve));
  };
  const stopJwks = () => new Promise<void>((resolve) => (jwks ? (jwks.closeAllConnections(), jwks.close(() => resolve())) : resolve()));

  const token = (key: SigningKey, claims: { aud?: string; iss?: string; kid?: string } = {}) =>
    new SignJWT({ permissions: [] })
      .setProtectedHeader({ alg: 'RS256', kid: claims.kid ?? key.kid })
      .setSubject('auth0|fan')
      .setIssuer(claims.iss ?? issuer)
      .setAudience(claims.aud ?? AUDIENCE)
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(key.privateKey);

  /** A query the gateway answers itself: only the token decides the outcome. */
  const call = async (bearer: string): Promise<{ status: number; code?: string; typename?: string; message?: string }> => {
    const res = await fetch(gatewayUrl, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${bearer}` }, body: JSON.stringify({ query: '{ __typename }' }) });
    const body = (await res.json()) as { data?: { __typename: string }; errors?: Array<{ message: string; extensions?: { code?: string } }> };
    const error = body.errors?.[0];
    return { status: res.status, typename: body.data?.__typename, ...(error ? { code: error.extensions?.code, message: error.message } : {}) };
  };
  const accepted = { status: 200, typename: 'Query' };
  const refused = expect.objectContaining({ status: 401, code: 'UNAUTHENTICATED' });

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'eventix-jwks-'));
    tls = makeCertificates(dir);
    [keyA, keyB] = await Promise.all([signingKey('key-a'), signingKey('key-b')]);
    published = [keyA];
    jwksPort = await freePort();
    issuer = `https://127.0.0.1:${jwksPort}/`;
    await startJwks();
    const port = await freePort();
    gateway = spawn(process.execPath, [serviceEntry('gateway').absolute], {
      env: {
        PATH: process.env.PATH ?? '',
        NODE_ENV: 'production',
        GATEWAY_PORT: String(port),
        INTERNAL_JWT_SECRET: 'jwks-test-internal-secret-0123456789abcdef',
        AUTH0_DOMAIN: '127.0.0.1',
        AUTH0_AUDIENCE: AUDIENCE,
        AUTH0_ISSUER_URL: issuer,
        AUTH0_JWKS_COOLDOWN_MS: String(COOLDOWN_MS),
        NODE_EXTRA_CA_CERTS: tls.ca,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    if (gateway.pid) killWhenParentDies(gateway.pid);
    gateway.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    gateway.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    await waitFor(() => (output.includes('listening on') ? true : undefined), 60_000, () => `the gateway to listen; output so far:\n${output}`);
    gatewayUrl = `http://127.0.0.1:${port}/graphql`;
  }, 90_000);

  afterAll(async () => {
    if (gateway && gateway.exitCode === null) gateway.kill('SIGKILL');
    await stopJwks();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('accepts a token of the published key, fetching the key set once', async () => {
    expect(await call(await token(keyA))).toEqual(accepted);
    expect(await call(await token(keyA))).toEqual(accepted);
    expect(fetches).toHaveLength(1);
  });

  it('refuses a token for another audience or from another issuer, signed by the same key', async () => {
    expect(await call(await token(keyA, { aud: 'https://api.other.example' }))).toEqual(refused);
    expect(await call(await token(keyA, { iss: 'https://evil.example/' }))).toEqual(refused);
    expect(await call(await token(keyA, { iss: issuer.replace(/\/$/, '') }))).toEqual(refused);
  });

  it('a flood of tokens with unknown kids costs at most one JWKS fetch per cooldown', async () => {
    const before = fetches.length;
    const started = Date.now();
    // Waves of random kids over less than one cooldown window.
    for (let wave = 0; wave < 5; wave++) {
      const results = await Promise.all(Array.from({ length: 20 }, async () => call(await token(keyA, { kid: `random-${Math.random().toString(36).slice(2)}` }))));
      for (const result of results) expect(result).toEqual(refused);
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
    expect(Date.now() - started).toBeLessThan(COOLDOWN_MS);
    expect(fetches.length - before).toBeLessThanOrEqual(1);
    // The known key is unaffected.
    expect(await call(await token(keyA))).toEqual(accepted);
  }, 30_000);

  it('accepts a token signed by a newly rotated key after exactly one refetch', async () => {
    published = [keyA, keyB];
    // Past the cooldown of the last fetch: the unknown kid may trigger a refetch.
    await new Promise((resolve) => setTimeout(resolve, COOLDOWN_MS + 200 - (Date.now() - (fetches.at(-1) ?? 0))));
    const before = fetches.length;
    expect(await call(await token(keyB))).toEqual(accepted);
    expect(fetches.length - before).toBe(1);
    expect(await call(await token(keyB))).toEqual(accepted);
    expect(await call(await token(keyA))).toEqual(accepted);
    expect(fetches.length - before).toBe(1);
  }, 15_000);

  it('with the JWKS endpoint down, cached keys keep working and new kids are UNAUTHENTICATED (not 500)', async () => {
    await stopJwks();
    const keyC = await signingKey('key-c');
    await new Promise((resolve) => setTimeout(resolve, COOLDOWN_MS + 200));
    expect(await call(await token(keyA))).toEqual(accepted);
    expect(await call(await token(keyB))).toEqual(accepted);
    expect(await call(await token(keyC))).toEqual({ status: 401, code: 'UNAUTHENTICATED', message: expect.stringContaining('signing keys unreachable') });
    expect(await call(await token(keyA, { kid: 'never-published' }))).toEqual(refused);
    // Still serving.
    expect(await call(await token(keyB))).toEqual(accepted);
    expect(output).not.toMatch(/"level":(50|60)/);
  }, 15_000);
});
