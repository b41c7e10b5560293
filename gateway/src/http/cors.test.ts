import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { invalidOrigins, originMatcher, withCors } from './cors';

describe('originMatcher', () => {
  const allowed = originMatcher(['http://localhost:*', 'https://fans.example.com', 'http://127.0.0.1:5173']);

  it('takes any port of a `host:*` entry, and the bare host', () => {
    expect(allowed('http://localhost:5173')).toBe(true);
    expect(allowed('http://localhost:3000')).toBe(true);
    expect(allowed('http://localhost')).toBe(true);
  });

  it('takes exact entries only as written (port included), ignoring case', () => {
    expect(allowed('https://fans.example.com')).toBe(true);
    expect(allowed('HTTPS://Fans.Example.com')).toBe(true);
    expect(allowed('http://127.0.0.1:5173')).toBe(true);
    expect(allowed('http://127.0.0.1:5174')).toBe(false);
    expect(allowed('https://fans.example.com:8443')).toBe(false);
  });

  it('refuses other schemes, hosts and look-alikes', () => {
    expect(allowed('https://localhost:5173')).toBe(false);
    expect(allowed('http://fans.example.com')).toBe(false);
    expect(allowed('http://localhost.evil.com')).toBe(false);
    expect(allowed('http://evil.com/http://localhost:1')).toBe(false);
    expect(allowed('null')).toBe(false);
  });

  it('allows nothing with an empty list', () => {
    expect(originMatcher([])('http://localhost:5173')).toBe(false);
  });
});

describe('invalidOrigins', () => {
  it('names entries that are not origins', () => {
    expect(invalidOrigins(['http://localhost:*', 'https://a.example', 'http://[::1]:8080'])).toEqual([]);
    expect(invalidOrigins(['*', 'localhost:5173', 'https://a.example/', 'ftp://a.example', 'https://*.example.com'])).toEqual(['*', 'localhost:5173', 'https://a.example/', 'ftp://a.example', 'https://*.example.com']);
  });
});

describe('withCors', () => {
  let server: http.Server;
  let port: number;
  const reached: string[] = [];

  beforeAll(async () => {
    // Stands in for the gateway's handler: records what reached it and answers with a header of its own.
    const inner: http.RequestListener = (req, res) => {
      reached.push(`${req.method} ${req.url}`);
      res.writeHead(200, { 'content-type': 'application/json', 'x-request-id': 'req-1' });
      res.end('{}');
    };
    server = http.createServer(withCors(['http://localhost:*'], inner));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));
  beforeEach(() => (reached.length = 0));

  const request = (method: string, path: string, headers: Record<string, string>) =>
    new Promise<{ status: number; headers: http.IncomingHttpHeaders }>((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port, method, path, headers }, (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers }));
      });
      req.on('error', reject);
      req.end();
    });
  const preflight = (path: string, origin: string) =>
    request('OPTIONS', path, { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type, authorization' });

  it.each(['/graphql', '/dev/token'])('answers an allowed origin’s preflight for %s itself', async (path) => {
    const res = await preflight(path, 'http://localhost:5173');
    expect(res.status).toBe(204);
    expect(res.headers['access-control-allow-origin']).toBe('http://localhost:5173');
    expect(res.headers['access-control-allow-methods']).toBe('GET, POST, OPTIONS');
    expect(res.headers['access-control-allow-headers']).toBe('content-type, authorization, apollo-require-preflight, x-request-id');
    expect(res.headers['access-control-max-age']).toBe('600');
    expect(res.headers.vary).toBe('Origin');
    expect(reached).toEqual([]);
  });

  it('lets an allowed origin read the answer and its request id', async () => {
    const res = await request('POST', '/graphql', { origin: 'http://localhost:5173', 'content-type': 'application/json' });
    expect(res.status).toBe(200);
    expect(res.headers['access-control-allow-origin']).toBe('http://localhost:5173');
    expect(res.headers['access-control-expose-headers']).toBe('x-request-id, retry-after');
    expect(res.headers['x-request-id']).toBe('req-1');
    expect(reached).toEqual(['POST /graphql']);
  });

  it('adds nothing for an origin off the list, preflight included, and leaves it to the handler', async () => {
    const res = await preflight('/graphql', 'https://evil.example');
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
    expect(res.headers['access-control-allow-headers']).toBeUndefined();
    expect(reached).toEqual(['OPTIONS /graphql']);
  });

  it('adds nothing without an Origin (curl, server-to-server)', async () => {
    const res = await request('GET', '/health', {});
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
    expect(reached).toEqual(['GET /health']);
  });

  it('answers preflights only for the browser-facing paths', async () => {
    await preflight('/metrics', 'http://localhost:5173');
    expect(reached).toEqual(['OPTIONS /metrics']);
  });
});
