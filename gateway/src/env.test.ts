import { ConfigError } from '@eventix/config';
import { loadGatewayConfig } from './env';

const base = { INTERNAL_JWT_SECRET: 'a-secret-of-at-least-thirty-two-characters', SUPERGRAPH_PATH: '/dev/null' };
const production = { ...base, NODE_ENV: 'production', AUTH0_DOMAIN: 'tenant.eu.auth0.com', AUTH0_AUDIENCE: 'https://api.example.com' };

describe('GATEWAY_CORS_ORIGINS', () => {
  it('defaults to any local port in development and test, to none in production', () => {
    expect(loadGatewayConfig({ ...base, NODE_ENV: 'development' }).cors.origins).toEqual(['http://localhost:*', 'http://127.0.0.1:*']);
    expect(loadGatewayConfig({ ...base, NODE_ENV: 'test' }).cors.origins).toEqual(['http://localhost:*', 'http://127.0.0.1:*']);
    expect(loadGatewayConfig(production).cors.origins).toEqual([]);
  });

  it('takes a comma-separated list instead of the default, blanks ignored', () => {
    expect(loadGatewayConfig({ ...production, GATEWAY_CORS_ORIGINS: ' https://fans.example.com, ,http://localhost:* ' }).cors.origins).toEqual(['https://fans.example.com', 'http://localhost:*']);
    expect(loadGatewayConfig({ ...base, GATEWAY_CORS_ORIGINS: 'https://fans.example.com' }).cors.origins).toEqual(['https://fans.example.com']);
  });

  it('treats an empty value as unset, like every variable', () => {
    expect(loadGatewayConfig({ ...production, GATEWAY_CORS_ORIGINS: '' }).cors.origins).toEqual([]);
    expect(loadGatewayConfig({ ...base, GATEWAY_CORS_ORIGINS: '' }).cors.origins).toEqual(['http://localhost:*', 'http://127.0.0.1:*']);
  });

  it('refuses an entry that is not an origin, naming it', () => {
    expect(() => loadGatewayConfig({ ...base, GATEWAY_CORS_ORIGINS: 'https://ok.example,*' })).toThrow(ConfigError);
    expect(() => loadGatewayConfig({ ...base, GATEWAY_CORS_ORIGINS: 'https://ok.example,*' })).toThrow(/GATEWAY_CORS_ORIGINS.*\*/);
  });
});

describe('RATE_LIMIT_LEASE_PERCENT', () => {
  it('is 2 % unless set; 0 turns leasing off; more than 10 % is refused', () => {
    expect(loadGatewayConfig(base).rateLimits.leasePercent).toBe(2);
    expect(loadGatewayConfig({ ...base, RATE_LIMIT_LEASE_PERCENT: '0' }).rateLimits.leasePercent).toBe(0);
    expect(() => loadGatewayConfig({ ...base, RATE_LIMIT_LEASE_PERCENT: '50' })).toThrow(/RATE_LIMIT_LEASE_PERCENT/);
  });
});
