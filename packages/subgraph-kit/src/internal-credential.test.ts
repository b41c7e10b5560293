import { decodeJwt } from 'jose';
import { ExpiringLru } from './credential-cache';
import { InvalidCredentialError, signInternalCredential, verifyInternalCredential } from './internal-credential';

// Each test signs with its own secret: the caches are per secret, so tests do not see each other's entries.
let n = 0;
const freshSecret = () => `test-secret-${++n}-`.padEnd(40, 'x');
const fan = { userId: 'fan-1', permissions: ['book'] };

describe('signInternalCredential reuse', () => {
  it('reuses a credential for the same subgraph and caller until half its lifetime has passed, then mints anew', async () => {
    const secret = freshSecret();
    const t0 = Date.now();
    const first = await signInternalCredential(secret, fan, 'booking', t0);
    expect(await signInternalCredential(secret, { userId: 'fan-1', permissions: ['book'] }, 'booking', t0 + 29_999)).toBe(first);
    const renewed = await signInternalCredential(secret, fan, 'booking', t0 + 30_000);
    expect(renewed).not.toBe(first);
    expect(decodeJwt(renewed).exp).toBe(Math.floor((t0 + 30_000) / 1000) + 60);
  });

  it('never hands one caller’s or subgraph’s credential to another', async () => {
    const secret = freshSecret();
    const t0 = Date.now();
    const base = await signInternalCredential(secret, fan, 'booking', t0);
    const others = await Promise.all([
      signInternalCredential(secret, fan, 'catalog', t0),
      signInternalCredential(secret, { userId: 'fan-2', permissions: ['book'] }, 'booking', t0),
      signInternalCredential(secret, { userId: 'fan-1', permissions: ['book', 'admin'] }, 'booking', t0),
      signInternalCredential(secret, { userId: 'fan-1', permissions: [] }, 'booking', t0),
      signInternalCredential(secret, { permissions: ['book'] }, 'booking', t0),
      signInternalCredential(secret, { userId: 'anonymous', permissions: ['book'] }, 'booking', t0),
      signInternalCredential(freshSecret(), fan, 'booking', t0),
    ]);
    expect(new Set([base, ...others]).size).toBe(others.length + 1);
    const claims = others.map((token) => decodeJwt(token));
    expect(claims.map((c) => [c.aud, c.sub, c.permissions, c.anon])).toEqual([
      ['catalog', 'fan-1', ['book'], false],
      ['booking', 'fan-2', ['book'], false],
      ['booking', 'fan-1', ['book', 'admin'], false],
      ['booking', 'fan-1', [], false],
      ['booking', 'anonymous', ['book'], true],
      ['booking', 'anonymous', ['book'], false],
      ['booking', 'fan-1', ['book'], false],
    ]);
  });

  it('shares one mint between concurrent first requests of a caller', async () => {
    const secret = freshSecret();
    const tokens = await Promise.all(Array.from({ length: 5 }, () => signInternalCredential(secret, fan, 'booking')));
    expect(new Set(tokens).size).toBe(1);
  });
});

describe('verifyInternalCredential', () => {
  afterEach(() => jest.useRealTimers());

  it('answers a verified credential again, for its audience only, with a caller the receiver may change freely', async () => {
    const secret = freshSecret();
    const token = await signInternalCredential(secret, fan, 'booking');
    const first = await verifyInternalCredential(secret, token, 'booking');
    first.permissions.push('admin');
    expect(await verifyInternalCredential(secret, token, 'booking')).toEqual(fan);
    await expect(verifyInternalCredential(secret, token, 'catalog')).rejects.toThrow(InvalidCredentialError);
    await expect(verifyInternalCredential(freshSecret(), token, 'booking')).rejects.toThrow(InvalidCredentialError);
  });

  it('refuses a remembered credential once it has expired', async () => {
    const secret = freshSecret();
    const t0 = Date.now();
    const token = await signInternalCredential(secret, fan, 'booking', t0);
    expect(await verifyInternalCredential(secret, token, 'booking')).toEqual(fan);
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'], now: t0 + 66_000 }); // past exp + the 5 s tolerance
    await expect(verifyInternalCredential(secret, token, 'booking')).rejects.toThrow('invalid internal credential: ERR_JWT_EXPIRED');
  });

  it('refuses a tampered credential even when the genuine one was verified', async () => {
    const secret = freshSecret();
    const token = await signInternalCredential(secret, fan, 'booking');
    await verifyInternalCredential(secret, token, 'booking');
    const [header, , signature] = token.split('.');
    const forged = [header, Buffer.from(JSON.stringify({ ...decodeJwt(token), permissions: ['admin'] })).toString('base64url'), signature].join('.');
    await expect(verifyInternalCredential(secret, forged, 'booking')).rejects.toThrow(InvalidCredentialError);
  });
});

describe('ExpiringLru', () => {
  it('drops the least recently used entry at its bound and never returns an expired one', () => {
    const lru = new ExpiringLru<number>(2);
    lru.set('a', 1, 1_000);
    lru.set('b', 2, 1_000);
    expect(lru.get('a', 0)).toBe(1); // a is now the most recently used
    lru.set('c', 3, 1_000);
    expect([lru.get('a', 0), lru.get('b', 0), lru.get('c', 0)]).toEqual([1, undefined, 3]);
    expect(lru.get('a', 1_000)).toBeUndefined();
    expect(lru.size).toBe(1);
  });
});
