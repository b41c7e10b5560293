import type { EntityManager } from '@mikro-orm/postgresql';
import { appError, badUserInput, ErrorCode } from '@eventix/errors';
import { Booking, BookingStatus } from '../booking/booking.entity';
import { Ticket } from './ticket.entity';
import type { TicketSigner } from './ticket-signer';

export interface TicketVerificationResult {
  valid: boolean;
  ticket?: Ticket;
  reason?: string;
}

/** Issuing tickets for a confirmed booking, verifying codes and checking them in at the door. */
export class TicketService {
  constructor(
    private readonly signer: TicketSigner,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** One signed ticket per seat; called inside the transaction that confirms the booking. */
  async issue(tx: EntityManager, booking: Booking, seatIds: string[]): Promise<void> {
    for (const seatId of seatIds) {
      const ticket = tx.create(Ticket, { booking, eventId: booking.eventId, seatId, code: 'pending' });
      ticket.code = await this.signer.sign({ t: ticket.id, b: booking.id, e: booking.eventId, s: seatId });
    }
  }

  /**
   * Checks a code: genuine signature (what a scanner can do offline), then what only the
   * database knows — the booking is still confirmed and the ticket not used yet.
   */
  async verify(em: EntityManager, code: string): Promise<TicketVerificationResult> {
    const claims = await this.signer.verify(code);
    if (!claims) return { valid: false, reason: 'not a genuine Eventix ticket' };
    const ticket = await em.findOne(Ticket, { id: claims.t, code }, { populate: ['booking'] });
    if (!ticket) return { valid: false, reason: 'unknown ticket' };
    const booking = ticket.booking.getEntity();
    if (booking.status !== BookingStatus.CONFIRMED) return { valid: false, ticket, reason: `booking is ${booking.status}` };
    if (ticket.checkedInAt) return { valid: false, ticket, reason: `already checked in at ${ticket.checkedInAt.toISOString()}` };
    return { valid: true, ticket };
  }

  /**
   * Admits a ticket once. The conditional UPDATE is the guard: two scanners racing on the same
   * code cannot both succeed; the loser is told when the ticket was first used. The booking row
   * is locked FOR SHARE meanwhile, and its status read under that lock: a cancellation (which
   * locks it FOR UPDATE and refuses a booking with a used ticket) is either over — this sees
   * CANCELLED — or waits for this check-in and then refuses.
   */
  async checkIn(em: EntityManager, code: string, scannerId: string): Promise<Ticket> {
    const verification = await this.verify(em, code);
    if (!verification.ticket) throw badUserInput('code', verification.reason ?? 'invalid ticket');
    const ticket = verification.ticket;
    if (ticket.booking.getEntity().status !== BookingStatus.CONFIRMED) {
      throw appError(ErrorCode.INVALID_BOOKING_STATE, verification.reason ?? 'booking is not confirmed');
    }
    const checkedInAt = await em.transactional(async (tx) => {
      const [booking] = await tx.execute<Array<{ status: string }>>('select status from booking where id = ? for share', [ticket.booking.id]);
      if (booking?.status !== BookingStatus.CONFIRMED) throw appError(ErrorCode.INVALID_BOOKING_STATE, `booking is ${booking?.status ?? 'gone'}`);
      const rows = await tx.execute<Array<{ checked_in_at: Date }>>(
        'update ticket set checked_in_at = ?, checked_in_by = ? where id = ? and checked_in_at is null returning checked_in_at',
        [this.now(), scannerId, ticket.id],
      );
      if (rows.length) return new Date(rows[0].checked_in_at);
      const [first] = await tx.execute<Array<{ checked_in_at: Date }>>('select checked_in_at from ticket where id = ?', [ticket.id]);
      const at = new Date(first.checked_in_at).toISOString();
      throw appError(ErrorCode.INVALID_BOOKING_STATE, `Ticket already checked in at ${at}`, { checkedInAt: at });
    });
    ticket.checkedInAt = checkedInAt;
    return ticket;
  }
}
