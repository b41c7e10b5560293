import fs from 'node:fs';
import path from 'node:path';
import { exportJWK, generateKeyPair, importJWK, SignJWT, type JWK } from 'jose';

export const DEV_AUDIENCE = 'eventix-api';
const KEY_ID = 'eventix-dev-1';
const TOKEN_LIFETIME = '12h';

type SigningKey = Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];

/**
 * The built-in token issuer for development: an RS256 key pair, a JWKS document and a token
 * endpoint. Tokens are verified exactly like Auth0's (over HTTP JWKS), so the verification
 * path in dev is the production one. Never constructed in production.
 */
export class DevIssuer {
  private constructor(
    private readonly privateKey: SigningKey,
    private readonly publicJwk: JWK,
    /** Issuer claim; the gateway's own base URL, ending with `/` like Auth0's. */
    readonly issuer: string,
  ) {}

  /** Loads the key from `keyFile` when present, otherwise generates one (and saves it there). */
  static async create(issuer: string, keyFile?: string): Promise<DevIssuer> {
    if (keyFile && fs.existsSync(keyFile)) {
      const saved = JSON.parse(fs.readFileSync(keyFile, 'utf8')) as { privateJwk: JWK; publicJwk: JWK };
      const privateKey = (await importJWK(saved.privateJwk, 'RS256')) as SigningKey;
      return new DevIssuer(privateKey, saved.publicJwk, issuer);
    }
    const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
    const publicJwk = { ...(await exportJWK(publicKey)), kid: KEY_ID, alg: 'RS256', use: 'sig' };
    if (keyFile) {
      fs.mkdirSync(path.dirname(keyFile), { recursive: true });
      fs.writeFileSync(keyFile, JSON.stringify({ privateJwk: await exportJWK(privateKey), publicJwk }), { mode: 0o600 });
    }
    return new DevIssuer(privateKey, publicJwk, issuer);
  }

  jwks(): { keys: JWK[] } {
    return { keys: [this.publicJwk] };
  }

  issue(subject: string, permissions: string[]): Promise<string> {
    return new SignJWT({ permissions })
      .setProtectedHeader({ alg: 'RS256', kid: KEY_ID, typ: 'JWT' })
      .setIssuer(this.issuer)
      .setAudience(DEV_AUDIENCE)
      .setSubject(subject)
      .setIssuedAt()
      .setExpirationTime(TOKEN_LIFETIME)
      .sign(this.privateKey);
  }
}

/** Validates the body of POST /dev/token: `{"sub": "...", "permissions": [...]}`. */
export function parseTokenRequest(body: unknown): { sub: string; permissions: string[] } | { error: string } {
  if (typeof body !== 'object' || body === null) return { error: 'body must be a JSON object' };
  const { sub, permissions = [] } = body as { sub?: unknown; permissions?: unknown };
  if (typeof sub !== 'string' || !sub.trim() || sub.length > 200) return { error: 'sub must be a non-empty string' };
  if (sub.includes('\u0000')) return { error: 'sub must not contain NUL characters' };
  if (!Array.isArray(permissions) || !permissions.every((p) => typeof p === 'string')) return { error: 'permissions must be an array of strings' };
  return { sub: sub.trim(), permissions };
}
