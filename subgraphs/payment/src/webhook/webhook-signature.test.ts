import { checkWebhookSignature, signWebhook } from './webhook-signature';

const secret = 'whsec_test';
const body = JSON.stringify({ id: 'evt_1', type: 'charge.succeeded' });

describe('webhook signatures', () => {
  it('accepts a fresh, genuine signature', () => {
    expect(checkWebhookSignature(secret, body, signWebhook(secret, body, 1000), 1010)).toEqual({ ok: true });
  });

  it.each([
    ['missing', undefined, 1000],
    ['malformed', 't=abc,v1=zz', 1000],
    ['bad-signature', signWebhook('other-secret', body, 1000), 1000],
    ['bad-signature', signWebhook(secret, `${body} `, 1000), 1000],
    ['too-old', signWebhook(secret, body, 1000), 1000 + 301],
    ['too-old', signWebhook(secret, body, 1000), 1000 - 301],
  ])('refuses %s', (reason, header, now) => {
    expect(checkWebhookSignature(secret, body, header, now)).toEqual({ ok: false, reason });
  });
});
