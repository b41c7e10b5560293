/** Messages payment publishes (topic = type), keyed by booking id so one booking's stay in order. */
export const PaymentTopics = {
  processing: 'payment.processing',
  success: 'payment.success',
  failed: 'payment.failed',
  refunded: 'payment.refunded',
} as const;

export interface PaymentProcessingPayload {
  paymentId: string;
  bookingId: string;
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

export interface PaymentRefundedPayload {
  paymentId: string;
  bookingId: string;
  amountMinor: number;
  currency: string;
  reason: string;
}

/** The booking subgraph's messages as payment reads them (booking owns the format). */
export const BookingTopics = {
  created: 'booking.created',
  cancelled: 'booking.cancelled',
  paymentRejected: 'booking.payment-rejected',
} as const;

export interface BookingCreatedPayload {
  bookingId: string;
  userId: string;
  totalMinor: number;
  currency: string;
  expiresAt: string;
}

export interface BookingCancelledPayload {
  bookingId: string;
  reason: string;
  refundRequested: boolean;
}

export interface BookingPaymentRejectedPayload {
  paymentId: string;
  bookingId: string;
  reason: string;
}
