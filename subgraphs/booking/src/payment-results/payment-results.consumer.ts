import type { MikroORM } from '@mikro-orm/postgresql';
import { claimMessage, requireVersion, type EventEnvelope } from '@eventix/events';
import type { BookingService } from '../booking/booking.service';
import { PaymentTopics, type PaymentFailedPayload, type PaymentProcessingPayload, type PaymentSuccessPayload } from './payment.messages';

const CONSUMER = 'booking.payment-results';

export const paymentResultTopics = [PaymentTopics.processing, PaymentTopics.success, PaymentTopics.failed];

/**
 * Applies payment outcomes to bookings. The processed-message row commits in the same
 * transaction as the booking change (docs/adr/0004-idempotency.md): a redelivered message finds its row and
 * does nothing, whatever crashed when.
 */
export class PaymentResultsConsumer {
  constructor(
    private readonly orm: MikroORM,
    private readonly bookings: BookingService,
    private readonly onChange: () => void = () => undefined,
  ) {}

  async handle(message: EventEnvelope): Promise<void> {
    requireVersion(message, 1);
    await this.orm.em.fork().transactional(async (tx) => {
      if (!(await claimMessage(tx, CONSUMER, message.id))) return;
      switch (message.type) {
        case PaymentTopics.success:
          // A rejection records its own message for the payment side; nothing else to do here.
          await this.bookings.applyPaymentSuccess(tx, message.payload as PaymentSuccessPayload);
          return;
        case PaymentTopics.failed:
          return this.bookings.applyPaymentFailure(tx, message.payload as PaymentFailedPayload);
        case PaymentTopics.processing:
          return this.bookings.applyPaymentProcessing(tx, message.payload as PaymentProcessingPayload);
      }
    });
    this.onChange();
  }
}
