import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { ensureDatabase, externalPostgres, startEmbeddedPostgres, type PostgresHandle } from '@eventix/local-infra';
import { TicketSigner } from '@eventix/booking';
import { StartRefused } from './start-refused';
import type { LauncherConfig } from './env';

export const DATABASES = { catalog: 'eventix_catalog', booking: 'eventix_booking', payment: 'eventix_payment' } as const;

export interface Infrastructure {
  postgres: PostgresHandle;
  databaseUrls: Record<keyof typeof DATABASES, string>;
  internalSecret: string;
  /** Private JWK (JSON) that signs ticket codes, kept so tickets stay verifiable after restarts. */
  ticketSigningKey: string;
}

/**
 * PostgreSQL from DATABASE_URL, or the embedded server with its data under `.data/postgres`
 * (kept across restarts); one database per service; the gateway↔subgraph secret, generated
 * once and kept under `.data/` so restarts do not invalidate anything.
 */
export async function prepareInfrastructure(config: LauncherConfig, log: (m: string) => void): Promise<Infrastructure> {
  fs.mkdirSync(config.dataDir, { recursive: true });
  const postgres = config.databaseUrl
    ? externalPostgres(config.databaseUrl)
    : await startEmbeddedPostgres({ dataDir: path.join(config.dataDir, 'postgres'), port: config.embeddedPostgresPort, persistent: true, log }).catch((error: Error) => {
        throw new StartRefused(`${error.message}\n(EMBEDDED_POSTGRES_PORT picks another port; DATABASE_URL uses a PostgreSQL of your own)`);
      });
  try {
    const [catalog, booking, payment] = await Promise.all(Object.values(DATABASES).map((db) => ensureDatabase(postgres.serverUrl, db)));
    return {
      postgres,
      databaseUrls: { catalog, booking, payment },
      internalSecret: config.internalSecret ?? persistentSecret(config.dataDir),
      ticketSigningKey: config.ticketSigningKey ?? (await persistentTicketKey(config.dataDir)),
    };
  } catch (error) {
    await postgres.stop();
    throw error;
  }
}

function persistentSecret(dataDir: string): string {
  const file = path.join(dataDir, 'internal-jwt-secret');
  if (fs.existsSync(file)) return fs.readFileSync(file, 'utf8').trim();
  const secret = crypto.randomBytes(32).toString('base64url');
  fs.writeFileSync(file, secret, { mode: 0o600 });
  return secret;
}

async function persistentTicketKey(dataDir: string): Promise<string> {
  const file = path.join(dataDir, 'ticket-signing-key.json');
  if (fs.existsSync(file)) return fs.readFileSync(file, 'utf8').trim();
  const key = JSON.stringify(await TicketSigner.generatePrivateJwk());
  fs.writeFileSync(file, key, { mode: 0o600 });
  return key;
}
