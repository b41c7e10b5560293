import { PaymentStatus } from './payment.entity';
import { PaymentTopics } from './payment.messages';
import { assertMove, attemptOutcome, canMove, isFree, needsRefund, settlementOf, TRANSITIONS } from './payment.rules';

const { REQUIRES_PAYMENT, PROCESSING, SUCCEEDED, FAILED, REFUNDED } = PaymentStatus;
const ALL = Object.values(PaymentStatus);
const code = (error: unknown) => (error as { extensions?: { code?: string } }).extensions?.code;

describe('payment rules', () => {
  describe('status moves', () => {
    it.each([
      [REQUIRES_PAYMENT, PROCESSING],
      [PROCESSING, SUCCEEDED],
      [PROCESSING, FAILED],
      [SUCCEEDED, REFUNDED],
    ])('allows %s → %s', (from, to) => {
      expect(canMove(from, to)).toBe(true);
      expect(() => assertMove(from, to)).not.toThrow();
    });

    it('allows nothing else: no skipping the charge, no way back, nothing out of FAILED or REFUNDED', () => {
      const allowed = new Set(['REQUIRES_PAYMENT>PROCESSING', 'PROCESSING>SUCCEEDED', 'PROCESSING>FAILED', 'SUCCEEDED>REFUNDED']);
      for (const from of ALL) {
        for (const to of ALL) {
          expect([`${from}>${to}`, canMove(from, to)]).toEqual([`${from}>${to}`, allowed.has(`${from}>${to}`)]);
        }
      }
      expect(() => assertMove(FAILED, SUCCEEDED)).toThrow('a FAILED payment cannot become SUCCEEDED');
      expect(() => assertMove(REQUIRES_PAYMENT, SUCCEEDED)).toThrow();
      expect(() => assertMove(REFUNDED, SUCCEEDED)).toThrow();
    });

    it('announces every move with its own message, and every payment message means one move', () => {
      const topics = TRANSITIONS.map((t) => t.announces);
      expect(new Set(topics).size).toBe(TRANSITIONS.length);
      expect([...topics].sort()).toEqual(Object.values(PaymentTopics).sort());
    });
  });

  describe('settlement (charge call, webhook or reconciliation — first answer wins)', () => {
    it('settles a PROCESSING payment by the outcome', () => {
      expect(settlementOf(PROCESSING, { status: 'succeeded', chargeId: 'ch_1' })).toBe(SUCCEEDED);
      expect(settlementOf(PROCESSING, { status: 'declined', chargeId: 'ch_1', reason: 'card_declined' })).toBe(FAILED);
      expect(settlementOf(PROCESSING, { status: 'failed', reason: 'provider_timeout' })).toBe(FAILED);
    });

    it('leaves a pending charge PROCESSING', () => {
      expect(settlementOf(PROCESSING, { status: 'pending', chargeId: 'ch_1' })).toBeUndefined();
    });

    it.each([REQUIRES_PAYMENT, SUCCEEDED, FAILED, REFUNDED])('ignores a late answer about a %s payment', (status) => {
      expect(settlementOf(status, { status: 'succeeded', chargeId: 'ch_1' })).toBeUndefined();
      expect(settlementOf(status, { status: 'failed', reason: 'provider_timeout' })).toBeUndefined();
    });

    it('only ever settles along an allowed move', () => {
      const outcomes = [{ status: 'succeeded', chargeId: 'c' }, { status: 'declined', chargeId: 'c', reason: 'r' }, { status: 'pending', chargeId: 'c' }, { status: 'failed', reason: 'r' }] as const;
      for (const status of ALL) {
        for (const outcome of outcomes) {
          const next = settlementOf(status, outcome);
          if (next) expect(canMove(status, next)).toBe(true);
        }
      }
    });
  });

  describe('a payBooking attempt', () => {
    it('charges a payment nobody has charged yet, whatever the key', () => {
      expect(attemptOutcome(REQUIRES_PAYMENT, false)).toBe('charge');
      expect(attemptOutcome(REQUIRES_PAYMENT, true)).toBe('charge');
    });

    it.each([PROCESSING, SUCCEEDED, REFUNDED])('replays the same attempt on a %s payment without charging again', (status) => {
      expect(attemptOutcome(status, true)).toBe('replay');
    });

    it('refuses another attempt once paid, while one is in flight, and after a failure', () => {
      const paid = attemptOutcome(SUCCEEDED, false);
      expect(code(paid)).toBe('INVALID_BOOKING_STATE');
      expect((paid as Error).message).toBe('This booking is already paid');
      const refunded = attemptOutcome(REFUNDED, false);
      expect(code(refunded)).toBe('INVALID_BOOKING_STATE');
      expect((refunded as Error).message).toMatch(/cancelled and its payment refunded/);
      expect((attemptOutcome(PROCESSING, false) as Error).message).toMatch(/already in progress/);
      // A failed payment released its booking: not even the same key may retry it.
      for (const same of [true, false]) {
        const refused = attemptOutcome(FAILED, same);
        expect(code(refused)).toBe('INVALID_BOOKING_STATE');
        expect((refused as Error).message).toMatch(/failed and its booking was released/);
      }
    });
  });

  describe('a free order', () => {
    it('is a total of exactly zero, as the database (bigint text) or a message (number) states it', () => {
      expect(isFree(0)).toBe(true);
      expect(isFree('0')).toBe(true);
      expect(isFree(1)).toBe(false);
      expect(isFree('4990')).toBe(false);
    });
  });

  describe('refund when the booking ends', () => {
    it('refunds a paid payment once, and nothing else', () => {
      expect(needsRefund(SUCCEEDED, false)).toBe(true);
      expect(needsRefund(SUCCEEDED, true)).toBe(false);
      for (const status of [REQUIRES_PAYMENT, PROCESSING, FAILED, REFUNDED]) expect(needsRefund(status, false)).toBe(false);
    });
  });
});
