import { CompactSign, compactVerify, exportJWK, generateKeyPair, importJWK, type JWK } from 'jose';

/** What a ticket code says; short claim names keep the QR code small. */
export interface TicketClaims {
  /** ticket id */
  t: string;
  /** booking id */
  b: string;
  /** event id */
  e: string;
  /** seat id */
  s: string;
}

type KeyLike = Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];

/**
 * Signs ticket codes with an Ed25519 key (asymmetric: door scanners hold only the public key
 * and verify offline). The code is a compact JWS whose payload names ticket, booking, event
 * and seat; whether it was already used is the database's business (checkInTicket).
 */
export class TicketSigner {
  private constructor(
    private readonly privateKey: KeyLike,
    private readonly publicKey: KeyLike,
    readonly publicJwk: JWK,
  ) {}

  /** From a private JWK (config), or a fresh key pair when none is given. */
  static async create(privateJwk?: JWK): Promise<TicketSigner> {
    if (privateJwk) {
      const { d: _d, ...publicPart } = privateJwk;
      const publicJwk = { ...publicPart, alg: 'EdDSA', use: 'sig' };
      return new TicketSigner((await importJWK(privateJwk, 'EdDSA')) as KeyLike, (await importJWK(publicJwk, 'EdDSA')) as KeyLike, publicJwk);
    }
    const { privateKey, publicKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
    return new TicketSigner(privateKey, publicKey, { ...(await exportJWK(publicKey)), alg: 'EdDSA', use: 'sig' });
  }

  /** A new private key as JSON, for TICKET_SIGNING_KEY. */
  static async generatePrivateJwk(): Promise<JWK> {
    const { privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
    return exportJWK(privateKey);
  }

  sign(claims: TicketClaims): Promise<string> {
    return new CompactSign(new TextEncoder().encode(JSON.stringify(claims))).setProtectedHeader({ alg: 'EdDSA', typ: 'eventix-ticket' }).sign(this.privateKey);
  }

  /** The claims of a genuine code, or undefined for a forged, altered or malformed one. */
  async verify(code: string): Promise<TicketClaims | undefined> {
    try {
      const { payload } = await compactVerify(code, this.publicKey, { algorithms: ['EdDSA'] });
      const claims = JSON.parse(new TextDecoder().decode(payload)) as Partial<TicketClaims>;
      return typeof claims.t === 'string' && typeof claims.b === 'string' && typeof claims.e === 'string' && typeof claims.s === 'string'
        ? (claims as TicketClaims)
        : undefined;
    } catch {
      return undefined;
    }
  }
}
