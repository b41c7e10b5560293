import { InvalidTokenError, type VerifiedCaller } from './token-verifier';
import { rememberVerifiedTokens } from './verified-tokens';

beforeEach(() => jest.useFakeTimers({ now: 1_000_000_000 }));
afterEach(() => jest.useRealTimers());

const nowSeconds = () => Math.floor(Date.now() / 1000);

/** A stand-in for the JWKS verifier: tokens named `good-<sub>` verify, expiring in `ttl` seconds. */
function fakeVerifier(ttl = 300) {
  const checks: string[] = [];
  const verify = async (token: string): Promise<VerifiedCaller> => {
    checks.push(token);
    if (!token.startsWith('good-')) throw new InvalidTokenError('ERR_JWS_SIGNATURE_VERIFICATION_FAILED');
    return { userId: token.slice(5), permissions: ['book'], expiresAt: nowSeconds() + ttl };
  };
  return { checks, verify };
}

describe('rememberVerifiedTokens', () => {
  it('checks a token once while it is valid, and every other token on its own', async () => {
    const { checks, verify } = fakeVerifier();
    const remembered = rememberVerifiedTokens(verify);
    expect(await remembered('good-a')).toMatchObject({ userId: 'a' });
    expect(await remembered('good-a')).toMatchObject({ userId: 'a' });
    expect(await remembered('good-b')).toMatchObject({ userId: 'b' });
    expect(checks).toEqual(['good-a', 'good-b']);
  });

  it('never remembers a refusal', async () => {
    const { checks, verify } = fakeVerifier();
    const remembered = rememberVerifiedTokens(verify);
    await expect(remembered('forged')).rejects.toThrow(InvalidTokenError);
    await expect(remembered('forged')).rejects.toThrow(InvalidTokenError);
    expect(checks).toEqual(['forged', 'forged']);
  });

  it('checks again once the token has expired, and at the latest after maxAgeMs', async () => {
    const short = fakeVerifier(10);
    const byExpiry = rememberVerifiedTokens(short.verify, { maxAgeMs: 60_000 });
    await byExpiry('good-a');
    jest.advanceTimersByTime(10_000);
    await byExpiry('good-a');
    expect(short.checks).toEqual(['good-a', 'good-a']);

    const long = fakeVerifier(3_600);
    const byAge = rememberVerifiedTokens(long.verify, { maxAgeMs: 60_000 });
    await byAge('good-a');
    jest.advanceTimersByTime(59_999);
    await byAge('good-a');
    jest.advanceTimersByTime(1);
    await byAge('good-a');
    expect(long.checks).toEqual(['good-a', 'good-a']);
  });

  it('hands every request a caller of its own', async () => {
    const remembered = rememberVerifiedTokens(fakeVerifier().verify);
    (await remembered('good-a')).permissions.push('admin');
    expect((await remembered('good-a')).permissions).toEqual(['book']);
  });
});
