import http from 'node:http';
import { Pool } from 'undici';
import { INTERNAL_CREDENTIAL_HEADER, signInternalCredential } from '@eventix/subgraph-kit';

/**
 * The floor of any gateway that is a process of its own (#16 target 1): an HTTP forwarder with
 * no GraphQL at all. It reads the request body and posts it unchanged, over an undici
 * keep-alive pool, to TARGET_URL (subgraph TARGET_SUBGRAPH) with an anonymous caller's internal
 * credential (reused for half its lifetime, as the gateway does), then writes the answer back. What it costs over
 * calling the subgraph directly is the extra hop itself: two more loopback writes and reads
 * and two more process wake-ups per request. Run as its own process (`platform.startProcess`).
 */
const target = new URL(required('TARGET_URL'));
const subgraph = required('TARGET_SUBGRAPH');
const secret = required('INTERNAL_JWT_SECRET');
const pool = new Pool(target.origin, { connections: 64 });

// The credential lives 60 s; like the gateway, sign one and reuse it for half of that.
const CREDENTIAL_REUSE_MS = 30_000;
let credential: { value: Promise<string>; until: number } | undefined;
function currentCredential(): Promise<string> {
  const now = Date.now();
  if (!credential || now >= credential.until) credential = { value: signInternalCredential(secret, { permissions: [] }, subgraph), until: now + CREDENTIAL_REUSE_MS };
  return credential.value;
}

const server = http.createServer((req, res) => {
  if (req.url === '/health/ready') {
    res.end('ok');
    return;
  }
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    currentCredential()
      .then((credential) => pool.request({ path: target.pathname, method: 'POST', headers: { 'content-type': 'application/json', [INTERNAL_CREDENTIAL_HEADER]: credential }, body: Buffer.concat(chunks) }))
      .then(async (answer) => {
        const text = await answer.body.text();
        res.writeHead(answer.statusCode, { 'content-type': 'application/json' });
        res.end(text);
      })
      .catch((error: Error) => {
        res.writeHead(502, { 'content-type': 'text/plain' });
        res.end(error.message);
      });
  });
});
server.listen(Number(required('PORT')), '127.0.0.1');

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
}
