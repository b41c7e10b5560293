import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { serviceEntry } from '@eventix/testing';

interface ComposeService {
  image?: string;
  build?: unknown;
  command?: string[];
  environment?: Record<string, string>;
  ports?: string[];
  networks?: string[];
  depends_on?: Record<string, unknown> | string[];
}

const root = path.resolve(__dirname, '../..');
const compose = parse(fs.readFileSync(path.join(root, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
  services: Record<string, ComposeService>;
  networks: Record<string, { internal?: boolean }>;
};

describe('docker-compose.yml (structure only: no Docker engine runs here)', () => {
  it('has the infrastructure and every service', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['booking', 'catalog', 'gateway', 'payment', 'postgres', 'redis', 'redpanda', 'web']);
  });

  it('publishes only the gateway, on 4000, and the fan app, on 4200; subgraphs sit on the internal network only', () => {
    const published = Object.entries(compose.services).filter(([, s]) => s.ports?.length).map(([name]) => name);
    expect(published).toEqual(['gateway', 'web']);
    expect(compose.services.gateway.ports).toEqual(['4000:4000']);
    expect(compose.services.web.ports).toEqual(['4200:4200']);
    expect(compose.services.web.networks).toEqual(['public']);
    expect(compose.networks.internal.internal).toBe(true);
    for (const name of ['catalog', 'booking', 'payment']) expect(compose.services[name].networks).toEqual(['internal']);
  });

  it('points each subgraph at its own database and every service at Kafka and the shared secret', () => {
    expect(compose.services.catalog.environment?.CATALOG_DATABASE_URL).toMatch(/\/eventix_catalog$/);
    expect(compose.services.booking.environment?.BOOKING_DATABASE_URL).toMatch(/\/eventix_booking$/);
    expect(compose.services.payment.environment?.PAYMENT_DATABASE_URL).toMatch(/\/eventix_payment$/);
    for (const name of ['catalog', 'booking', 'payment', 'gateway']) {
      expect(compose.services[name].environment?.KAFKA_BROKERS).toBe('redpanda:9092');
      expect(compose.services[name].environment?.INTERNAL_JWT_SECRET).toBeDefined();
    }
    const init = fs.readFileSync(path.join(root, 'infra/postgres/init.sql'), 'utf8');
    for (const db of ['eventix_catalog', 'eventix_booking', 'eventix_payment']) expect(init).toContain(`CREATE DATABASE ${db}`);
  });

  it("runs each service's own built entry point (the start script of its package.json)", () => {
    for (const name of ['catalog', 'booking', 'payment', 'gateway'] as const) {
      expect(compose.services[name].command?.[1]).toBe(serviceEntry(name).fromRoot);
    }
  });

  it('serves the fan app (web/server) against the published gateway, which allows its origin', () => {
    const web = JSON.parse(fs.readFileSync(path.join(root, 'web/package.json'), 'utf8')) as { scripts: Record<string, string> };
    expect(compose.services.web.command).toEqual(['node', 'web/dist/server/cli.js']);
    expect(web.scripts.start).toBe('node dist/server/cli.js');
    expect(fs.existsSync(path.join(root, 'web/server/cli.ts'))).toBe(true);
    expect(compose.services.web.environment?.PUBLIC_GATEWAY_URL).toContain('http://localhost:4000/graphql');
    expect(compose.services.gateway.environment?.GATEWAY_CORS_ORIGINS).toContain('http://localhost:4200');
  });
});
