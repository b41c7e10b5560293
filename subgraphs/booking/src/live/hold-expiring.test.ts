import { BookingStatus } from '../booking/booking.entity';
import { HoldNoticeKind, nextHoldNotice } from './hold-expiring';

const t0 = new Date('2026-01-01T00:00:00Z');
const at = (s: number) => new Date(t0.getTime() + s * 1000);
const hold = (status: BookingStatus, endsAtSecond: number) => ({ status, expiresAt: at(endsAtSecond) });
const first = hold(BookingStatus.PENDING, 600);

describe('the hold countdown', () => {
  it('is silent until 60 s before the end, and says when to look again', () => {
    expect(nextHoldNotice('b', first, false, first, at(0), 60)).toEqual({ recheckInMs: 540_000 });
  });
  it('warns once 60 s before the end', () => {
    const step = nextHoldNotice('b', first, false, first, at(540), 60);
    expect(step.notice).toMatchObject({ kind: HoldNoticeKind.WARNING, secondsLeft: 60, final: false });
    expect(nextHoldNotice('b', first, true, first, at(550), 60)).toEqual({ recheckInMs: 50_000 });
  });
  it('ends with EXPIRED when the time is up, even before the expiry worker ran', () => {
    expect(nextHoldNotice('b', first, true, first, at(600), 60).notice).toMatchObject({ kind: HoldNoticeKind.EXPIRED, final: true, secondsLeft: 0 });
    expect(nextHoldNotice('b', first, true, hold(BookingStatus.EXPIRED, 600), at(10), 60).notice?.kind).toBe(HoldNoticeKind.EXPIRED);
  });
  it('ends with EXTENDED, CONFIRMED or CANCELLED', () => {
    expect(nextHoldNotice('b', first, true, hold(BookingStatus.PENDING, 900), at(560), 60).notice).toMatchObject({ kind: HoldNoticeKind.EXTENDED, final: true });
    expect(nextHoldNotice('b', first, false, hold(BookingStatus.CONFIRMED, 600), at(5), 60).notice?.kind).toBe(HoldNoticeKind.CONFIRMED);
    expect(nextHoldNotice('b', first, false, hold(BookingStatus.CANCELLED, 600), at(5), 60).notice?.kind).toBe(HoldNoticeKind.CANCELLED);
  });
});
