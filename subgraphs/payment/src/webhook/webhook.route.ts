import type http from 'node:http';
import type { MikroORM } from '@mikro-orm/postgresql';
import { claimMessage } from '@eventix/events';
import { isUuid, sendJson, type Route } from '@eventix/subgraph-kit';
import type { PaymentService } from '../payment/payment.service';
import type { WebhookEvent } from '../provider/payment-provider';
import { checkWebhookSignature, SIGNATURE_HEADER } from './webhook-signature';

const CONSUMER = 'payment.provider-webhook';

/**
 * POST /webhooks/provider: the provider's asynchronous outcomes. A bad signature is 401, a
 * stale timestamp or malformed event 400 — both change nothing. A delivery id already seen is
 * acknowledged (200) without effect, so the provider's retries are harmless.
 */
export function providerWebhookRoute(deps: { orm: MikroORM; payments: PaymentService; secret: string; onChange: () => void; now?: () => Date }): Route {
  return async (req: http.IncomingMessage, body: Buffer, res: http.ServerResponse) => {
    const raw = body.toString('utf8');
    const header = req.headers[SIGNATURE_HEADER];
    const check = checkWebhookSignature(deps.secret, raw, typeof header === 'string' ? header : undefined, Math.floor((deps.now?.() ?? new Date()).getTime() / 1000));
    if (!check.ok) {
      sendJson(res, check.reason === 'too-old' || check.reason === 'malformed' ? 400 : 401, { error: `signature ${check.reason}` });
      return;
    }
    let event: WebhookEvent;
    try {
      event = JSON.parse(raw) as WebhookEvent;
      if (!isUuid(event.id) || typeof event.data?.chargeId !== 'string') throw new Error('bad event');
    } catch {
      sendJson(res, 400, { error: 'malformed event' });
      return;
    }
    const outcome =
      event.type === 'charge.succeeded'
        ? ({ status: 'succeeded', chargeId: event.data.chargeId } as const)
        : ({ status: 'declined', chargeId: event.data.chargeId, reason: event.data.reason ?? 'declined' } as const);
    // The delivery id and its effect commit together: a retry after a crash is applied, a
    // retry after success is not.
    const fresh = await deps.orm.em.fork().transactional(async (tx) => {
      if (!(await claimMessage(tx, CONSUMER, event.id))) return false;
      await deps.payments.settleByCharge(tx, event.data.chargeId, event.data.idempotencyKey, outcome);
      return true;
    });
    if (fresh) deps.onChange();
    sendJson(res, 200, { received: true, duplicate: !fresh });
  };
}
