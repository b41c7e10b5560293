import { Kafka, logLevel } from 'kafkajs';
import type { FaultInfra } from './infra';
import { SERVICES_WITH_DB } from './infra';

/** One invariant's verdict, with a few offending examples when it fails. */
export interface InvariantResult {
  name: string;
  ok: boolean;
  detail: string;
}

/** A PENDING booking may outlive its expires_at by this much (the expiry worker runs every second). */
const EXPIRY_GRACE_SECONDS = 15;

/** The suite runs payment with PAYMENT_RECONCILE_AFTER_MS=10000; this leaves room for the worker. */
const STUCK_PROCESSING_SECONDS = 30;

const sample = (rows: unknown[]) => JSON.stringify(rows.slice(0, 3));

/**
 * Limits the checks to what one case did, so a violation is charged to the case that caused it:
 * the bookings, payments and seats of its events, and the dead letters added since it began.
 * Outboxes are checked whole (a stuck relay is stuck for everyone). Without a scope every check
 * covers the whole run, and any dead letter fails.
 */
export interface Scope {
  eventIds?: string[];
  /** Dead letters counted when the case began (see {@link countDeadLetters}). */
  deadLettersBefore?: number;
}

/**
 * The platform's consistency rules, checked by SQL across the three databases and by reading
 * the dead-letter topics' high watermarks. Each check reports what it found; none of them
 * depends on the load's own bookkeeping.
 */
export async function checkInvariants(infra: FaultInfra, scope: Scope = {}): Promise<InvariantResult[]> {
  const checks: Array<[string, () => Promise<{ ok: boolean; detail: string }>]> = [
    ['no seat held twice', () => seatsHeldOnce(infra, scope)],
    ['captured payments confirmed', () => capturedPaymentsConfirmed(infra, scope)],
    ['outbox published', () => outboxPublished(infra)],
    ['no expired PENDING', () => noExpiredPending(infra, scope)],
    ['catalog = projection', () => catalogMatchesProjection(infra, scope)],
    ['dead letters empty', () => deadLettersEmpty(infra, scope)],
  ];
  return Promise.all(
    checks.map(async ([name, check]) => {
      try {
        return { name, ...(await check()) };
      } catch (error) {
        return { name, ok: false, detail: `check failed: ${(error as Error).message}` };
      }
    }),
  );
}

/**
 * By the bookings' own status, not the items' denormalised copy (which the partial unique index
 * guards): two active bookings on one seat, or an item whose status drifted from its booking's.
 */
async function seatsHeldOnce(infra: FaultInfra, scope: Scope) {
  const doubles = await infra.query(
    'booking',
    `select i.event_id, i.seat_id, array_agg(b.id) as bookings
       from booking_item i join booking b on b.id = i.booking_id
      where b.status in ('PENDING', 'CONFIRMED') and ($1::uuid[] is null or b.event_id = any($1))
      group by i.event_id, i.seat_id having count(*) > 1`,
    [scope.eventIds ?? null],
  );
  const drifted = await infra.query('booking', `select b.id, b.status, i.status as item_status from booking_item i join booking b on b.id = i.booking_id where i.status <> b.status and ($1::uuid[] is null or b.event_id = any($1))`,
    [scope.eventIds ?? null],
  );
  const ok = doubles.length === 0 && drifted.length === 0;
  return { ok, detail: ok ? 'ok' : `${doubles.length} seats in two active bookings ${sample(doubles)}; ${drifted.length} items out of step ${sample(drifted)}` };
}

/**
 * Money taken (SUCCEEDED) must have bought a CONFIRMED booking; otherwise it is refunded
 * (REFUNDED). A charge still PROCESSING long after reconciliation should have settled it would
 * let this pass now and fail later, so it fails too.
 */
async function capturedPaymentsConfirmed(infra: FaultInfra, scope: Scope) {
  const payments = await infra.query<{ booking_id: string; status: string; stuck: boolean }>(
    'payment',
    `select booking_id, status, (status = 'PROCESSING' and processing_since < now() - make_interval(secs => $1)) as stuck from payment`,
    [STUCK_PROCESSING_SECONDS],
  );
  const bookings = payments.length
    ? await infra.query<{ id: string; status: string; event_id: string; cancellation_reason: string | null }>('booking', 'select id, status, event_id, cancellation_reason from booking where id = any($1::uuid[])', [payments.map((p) => p.booking_id)])
    : [];
  const byId = new Map(bookings.map((b) => [b.id, b]));
  // A payment whose booking does not exist belongs to no event: only the whole-run check sees it.
  const inScope = payments.filter((p) => !scope.eventIds || scope.eventIds.includes(byId.get(p.booking_id)?.event_id ?? ''));
  const captured = inScope.filter((p) => p.status === 'SUCCEEDED');
  const orphans = captured.filter((p) => byId.get(p.booking_id)?.status !== 'CONFIRMED').map((p) => ({ booking: p.booking_id, status: byId.get(p.booking_id)?.status ?? 'missing', reason: byId.get(p.booking_id)?.cancellation_reason ?? undefined }));
  const refunded = inScope.filter((p) => p.status === 'REFUNDED').length;
  const processing = inScope.filter((p) => p.status === 'PROCESSING').length;
  const stuck = inScope.filter((p) => p.stuck).map((p) => p.booking_id);
  return {
    ok: orphans.length === 0 && stuck.length === 0,
    detail:
      `${captured.length} captured, ${refunded} refunded, ${processing} processing` +
      (orphans.length ? `; ${orphans.length} captured without a CONFIRMED booking ${sample(orphans)}` : '') +
      (stuck.length ? `; ${stuck.length} PROCESSING for over ${STUCK_PROCESSING_SECONDS} s (bookings ${sample(stuck)})` : ''),
  };
}

async function outboxPublished(infra: FaultInfra) {
  const pending = await Promise.all(
    SERVICES_WITH_DB.map(async (db) => {
      const [row] = await infra.query<{ n: string; total: string }>(db, 'select count(*) filter (where published_at is null) as n, count(*) as total from outbox');
      return { db, pending: Number(row.n), total: Number(row.total) };
    }),
  );
  const ok = pending.every((p) => p.pending === 0);
  return { ok, detail: pending.map((p) => `${p.db} ${p.pending}/${p.total} unpublished`).join(', ') };
}

async function noExpiredPending(infra: FaultInfra, scope: Scope) {
  const stale = await infra.query<{ id: string; expires_at: Date }>(
    'booking',
    `select id, expires_at from booking where status = 'PENDING' and expires_at < now() - make_interval(secs => $1) and ($2::uuid[] is null or event_id = any($2))`,
    [EXPIRY_GRACE_SECONDS, scope.eventIds ?? null],
  );
  const [counts] = await infra.query<{ pending: string; expired: string }>('booking', `select count(*) filter (where status = 'PENDING') as pending, count(*) filter (where status = 'EXPIRED') as expired from booking where ($1::uuid[] is null or event_id = any($1))`,
    [scope.eventIds ?? null],
  );
  return { ok: stale.length === 0, detail: `${counts.pending} pending, ${counts.expired} expired${stale.length ? `; ${stale.length} PENDING past expiry ${sample(stale)}` : ''}` };
}

/** Every seat of every on-sale catalog event is in booking's projection at the catalog's price, and nothing else is. */
async function catalogMatchesProjection(infra: FaultInfra, scope: Scope) {
  const catalog = await infra.query<{ event_id: string; id: string; price_minor: string }>(
    'catalog',
    `select s.event_id, s.id, s.price_minor from seat s join event e on e.id = s.event_id where e.status = 'ON_SALE' and ($1::uuid[] is null or e.id = any($1))`,
    [scope.eventIds ?? null],
  );
  const eventIds = [...new Set(catalog.map((s) => s.event_id))];
  const projected = eventIds.length
    ? await infra.query<{ event_id: string; seat_id: string; price_minor: string }>('booking', 'select event_id, seat_id, price_minor from seat_projection where event_id = any($1::uuid[])', [eventIds])
    : [];
  const prices = new Map(projected.map((p) => [`${p.event_id}/${p.seat_id}`, String(p.price_minor)]));
  const mismatched = catalog.filter((s) => prices.get(`${s.event_id}/${s.id}`) !== String(s.price_minor));
  const catalogSeats = new Set(catalog.map((s) => `${s.event_id}/${s.id}`));
  const extra = projected.filter((p) => !catalogSeats.has(`${p.event_id}/${p.seat_id}`)).length;
  const ok = mismatched.length === 0 && extra === 0;
  return {
    ok,
    detail: `${eventIds.length} on-sale events, ${catalog.length} seats${mismatched.length ? `; ${mismatched.length} missing or priced differently ${sample(mismatched)}` : ''}${extra ? `; ${extra} projected seats not in catalog` : ''}`,
  };
}

/** Messages in `*.dlq` topics: the high watermark of every partition (0 when nothing was ever dead-lettered). */
async function deadLettersEmpty(infra: FaultInfra, scope: Scope) {
  const counts = await deadLetterCounts(infra);
  const total = counts.reduce((sum, c) => sum + c.messages, 0);
  const full = counts.filter((c) => c.messages > 0).map((c) => `${c.topic}: ${c.messages}`).join(', ');
  const added = total - (scope.deadLettersBefore ?? 0);
  return {
    ok: added === 0,
    detail: `${counts.length} dlq topics, ${total} dead letters${scope.deadLettersBefore !== undefined ? ` (${added} during this case)` : ''}${full ? `: ${full}` : ''}`,
  };
}

/** Dead letters in the whole cluster so far. */
export async function countDeadLetters(infra: FaultInfra): Promise<number> {
  return (await deadLetterCounts(infra)).reduce((sum, c) => sum + c.messages, 0);
}

async function deadLetterCounts(infra: FaultInfra): Promise<Array<{ topic: string; messages: number }>> {
  const admin = new Kafka({ clientId: 'faults-invariants', brokers: infra.kafka.brokers, logLevel: logLevel.NOTHING, retry: { retries: 3 } }).admin();
  await admin.connect();
  try {
    const topics = (await admin.listTopics()).filter((t) => t.endsWith('.dlq'));
    return await Promise.all(topics.map(async (topic) => ({ topic, messages: (await admin.fetchTopicOffsets(topic)).reduce((sum, p) => sum + Number(p.high), 0) })));
  } finally {
    await admin.disconnect();
  }
}
