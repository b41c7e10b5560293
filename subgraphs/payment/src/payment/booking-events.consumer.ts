import type { MikroORM } from '@mikro-orm/postgresql';
import { claimMessage, requireVersion, type EventEnvelope } from '@eventix/events';
import { BookingTopics, type BookingCancelledPayload, type BookingCreatedPayload, type BookingPaymentRejectedPayload } from './payment.messages';
import type { PaymentService } from './payment.service';

const CONSUMER = 'payment.booking-events';

export const bookingEventTopics = [BookingTopics.created, BookingTopics.cancelled, BookingTopics.paymentRejected];

/**
 * Booking lifecycle as the payment side needs it: open a payment when a booking is created,
 * close it (and refund if paid) when the booking is cancelled, expired or cannot take a
 * payment. The processed-message row commits with the change.
 */
export class BookingEventsConsumer {
  constructor(
    private readonly orm: MikroORM,
    private readonly payments: PaymentService,
    /** Wakes the refund worker after a refund was requested. */
    private readonly onRefundRequested: () => void = () => undefined,
  ) {}

  async handle(message: EventEnvelope): Promise<void> {
    requireVersion(message, 1);
    if (message.type === BookingTopics.created) {
      // One message per booking made: claim and payment in one statement, no transaction around it.
      await this.payments.openForBooking(this.orm.em.fork(), message.payload as BookingCreatedPayload, { consumer: CONSUMER, messageId: message.id });
      return;
    }
    const refundRequested = await this.orm.em.fork().transactional(async (tx): Promise<boolean> => {
      if (!(await claimMessage(tx, CONSUMER, message.id))) return false;
      if (message.type === BookingTopics.cancelled) {
        const payload = message.payload as BookingCancelledPayload;
        return this.payments.bookingClosed(tx, payload.bookingId, `booking ${payload.reason.toLowerCase()}`);
      }
      if (message.type === BookingTopics.paymentRejected) {
        const payload = message.payload as BookingPaymentRejectedPayload;
        return this.payments.bookingClosed(tx, payload.bookingId, payload.reason);
      }
      return false;
    });
    // Only then: a settlement run per message (two queries) would follow every booking made.
    if (refundRequested) this.onRefundRequested();
  }
}
