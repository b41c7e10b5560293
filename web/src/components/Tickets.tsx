import { useEffect, useState } from 'react';
import QRCode from 'qrcode';

export interface TicketView {
  id: string;
  code: string;
  checkedInAt?: string | null;
  seat: { row: string; number: number; section: { name: string } };
}

/** Each ticket's signed code as a QR code to show at the door. */
export function Tickets({ tickets }: { tickets: readonly TicketView[] }) {
  if (!tickets.length) return <p>Your tickets are being issued…</p>;
  return (
    <ul className="tickets" aria-label="Tickets">
      {tickets.map((t) => (
        <li key={t.id} className="ticket">
          <TicketQr ticket={t} />
          <div>
            <strong>
              Section {t.seat.section.name}, row {t.seat.row}, seat {t.seat.number}
            </strong>
            <br />
            {t.checkedInAt ? `Checked in at ${new Date(t.checkedInAt).toLocaleTimeString()}` : 'Show this code at the door.'}
          </div>
        </li>
      ))}
    </ul>
  );
}

function TicketQr({ ticket }: { ticket: TicketView }) {
  const [src, setSrc] = useState<string>();
  useEffect(() => {
    let live = true;
    QRCode.toDataURL(ticket.code, { errorCorrectionLevel: 'M', margin: 2, width: 200 }).then((url) => live && setSrc(url));
    return () => {
      live = false;
    };
  }, [ticket.code]);
  const alt = `QR code of the ticket for section ${ticket.seat.section.name}, row ${ticket.seat.row}, seat ${ticket.seat.number}`;
  return src ? <img className="qr" src={src} width={160} height={160} alt={alt} data-ticket-id={ticket.id} /> : <div className="qr placeholder" role="img" aria-label={`${alt} (drawing)`} />;
}
