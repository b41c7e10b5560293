/**
 * The payment subgraph's messages as booking reads them (the payment side owns the format).
 * Keyed by booking id on the payment side; booking de-duplicates on the message id.
 */
export const PaymentTopics = {
  processing: 'payment.processing',
  success: 'payment.success',
  failed: 'payment.failed',
} as const;

export interface PaymentProcessingPayload {
  paymentId: string;
  bookingId: string;
  /** Keep the seats at least until then: the provider is still working on the charge. */
  holdUntil: string;
}

export interface PaymentSuccessPayload {
  paymentId: string;
  bookingId: string;
  amountMinor: number;
  currency: string;
  /** null for a free order: nothing was charged. */
  providerTransactionId: string | null;
}

export interface PaymentFailedPayload {
  paymentId: string;
  bookingId: string;
  reason: string;
}

/** Published by booking when a payment succeeded for a booking that can no longer take it. */
export const BookingPaymentRejectedTopic = 'booking.payment-rejected';

export interface BookingPaymentRejectedPayload {
  paymentId: string;
  bookingId: string;
  bookingStatus: string;
  reason: string;
}
