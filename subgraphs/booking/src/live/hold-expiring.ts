import { BookingStatus } from '../booking/booking.entity';

/** What holdExpiring says about a hold. */
export enum HoldNoticeKind {
  /** The hold ends within the warning time (HOLD_WARNING_SECONDS, default 60 s). */
  WARNING = 'WARNING',
  /** Final: the hold ran out; its seats are released. */
  EXPIRED = 'EXPIRED',
  /** Final: the hold was stretched (a payment is in flight); `expiresAt` is the new end. */
  EXTENDED = 'EXTENDED',
  /** Final: paid; the seats are the fan's. */
  CONFIRMED = 'CONFIRMED',
  /** Final: cancelled (by the fan, a failed payment or the event's cancellation). */
  CANCELLED = 'CANCELLED',
}

export interface HoldNotice {
  bookingId: string;
  kind: HoldNoticeKind;
  expiresAt: Date;
  secondsLeft: number;
  final: boolean;
}

export interface HoldState {
  status: BookingStatus;
  expiresAt: Date;
}

/**
 * The pure part of the countdown: given the hold as first seen, whether the warning was sent,
 * and the hold now, the notice to send (if any) and when to look again.
 */
export function nextHoldNotice(
  bookingId: string,
  first: HoldState,
  warned: boolean,
  now: HoldState,
  at: Date,
  warningSeconds: number,
): { notice?: HoldNotice; recheckInMs?: number } {
  const left = now.expiresAt.getTime() - at.getTime();
  const notice = (kind: HoldNoticeKind, final: boolean): HoldNotice => ({ bookingId, kind, expiresAt: now.expiresAt, secondsLeft: Math.max(0, Math.ceil(left / 1000)), final });
  if (now.status === BookingStatus.CONFIRMED) return { notice: notice(HoldNoticeKind.CONFIRMED, true) };
  if (now.status === BookingStatus.CANCELLED) return { notice: notice(HoldNoticeKind.CANCELLED, true) };
  // A PENDING hold whose time is up is over, whatever the expiry worker has done yet.
  if (now.status === BookingStatus.EXPIRED || left <= 0) return { notice: notice(HoldNoticeKind.EXPIRED, true) };
  if (now.expiresAt.getTime() > first.expiresAt.getTime()) return { notice: notice(HoldNoticeKind.EXTENDED, true) };
  const untilWarning = left - warningSeconds * 1000;
  if (!warned && untilWarning <= 0) return { notice: notice(HoldNoticeKind.WARNING, false), recheckInMs: left };
  return { recheckInMs: warned ? left : untilWarning };
}
