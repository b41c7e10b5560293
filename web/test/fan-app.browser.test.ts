import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { onSaleEvent, startTestPlatform, type PlatformHarness } from '@eventix/testing/platform';
import { launchChromium, operations } from '@eventix/testing';
import { DEFAULT_DIST_DIR, startWebServer, type RunningWebServer } from '../server';

/** Screenshots for CI artifacts: web/test-artifacts/screenshots (gitignored; see web/README.md). */
export const SCREENSHOT_DIR = process.env.SCREENSHOT_DIR ?? path.resolve(__dirname, '../test-artifacts/screenshots');

declare global {
  interface Window {
    __eventixSeatMap?: { version: number | null; availability(seatId: string): string | undefined };
    axe?: { run(context: Document, options: object): Promise<{ violations: Array<{ id: string; impact?: string | null; help: string; nodes: Array<{ target: unknown }> }> }> };
  }
}

describe('the fan app in a real browser, on the real platform', () => {
  let h: PlatformHarness;
  let web: RunningWebServer;
  let browser: Browser;
  let eventId: string;
  let seatIds: string[];
  let a: BrowserContext;
  let b: BrowserContext;
  let pageA: Page;
  let pageB: Page;
  const browserErrors: string[] = [];

  beforeAll(async () => {
    h = await startTestPlatform();
    ({ eventId, seatIds } = await onSaleEvent(h, { venue: 'Browser Hall', city: 'Testville', title: 'Browser Night', section: 'Floor', rows: 3, seatsPerRow: 10, price: '89.00' }));
    // A copy of the built app: a build running meanwhile (the workspaces are rebuilt by other
    // commands) must not swap the files under the test.
    const distDir = fs.mkdtempSync(path.join(os.tmpdir(), 'eventix-web-'));
    fs.cpSync(DEFAULT_DIST_DIR, distDir, { recursive: true });
    web = await startWebServer({ port: 0, host: '127.0.0.1', config: { gatewayUrl: h.gatewayUrl }, distDir });
    browser = await launchChromium();
    a = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    b = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    pageA = await a.newPage();
    pageB = await b.newPage();
    for (const [name, page] of [['A', pageA], ['B', pageB]] as const) {
      page.on('pageerror', (e) => browserErrors.push(`${name}: ${e.message}`));
    }
  });

  afterAll(async () => {
    await browser?.close();
    await web?.stop();
    await h?.close();
  });

  const signIn = async (page: Page, name: string) => {
    await page.goto(`${web.url}sign-in?next=/events/${eventId}`);
    await page.getByLabel('Sign in as').fill(name);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`**/events/${eventId}`);
    await page.locator('.seat-focus').waitFor();
    await page.waitForFunction(() => window.__eventixSeatMap?.version !== undefined);
  };
  const seriousAxeViolations = async (page: Page) => {
    await page.addScriptTag({ content: fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8') });
    const { violations } = await page.evaluate(() => window.axe!.run(document, { resultTypes: ['violations'] }));
    const bad = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
    if (bad.length) process.stderr.write(`${page.url()}: ${JSON.stringify(bad.map((v) => ({ id: v.id, help: v.help, nodes: v.nodes.map((n) => n.target) })))}\n`);
    return bad.map((v) => `${v.id} (${v.help})`);
  };
  const availability = (page: Page, seatId: string) => page.evaluate((id) => window.__eventixSeatMap?.availability(id), seatId);
  const waitForSeats = (page: Page, ids: string[], state: string, timeout = 15_000) =>
    page.waitForFunction(({ ids, state }) => ids.every((id) => window.__eventixSeatMap?.availability(id) === state), { ids, state }, { timeout, polling: 50 });
  /** Selects seats by keyboard: the map's focus starts at the first seat; ArrowRight moves along the row. */
  const selectByKeyboard = async (page: Page, fromStart: number, count: number) => {
    await page.locator('.seat-focus').focus();
    await page.keyboard.press('Home');
    for (let i = 0; i < fromStart; i++) await page.keyboard.press('ArrowRight');
    for (let i = 0; i < count; i++) {
      await page.keyboard.press('Enter');
      if (i < count - 1) await page.keyboard.press('ArrowRight');
    }
  };
  /** A holds the seats; returns when createBooking answered (the hold exists). */
  const hold = async (page: Page, count: number) => {
    const answered = page.waitForResponse((r) => r.request().method() === 'POST' && (r.request().postData() ?? '').includes('WebHold'));
    await page.getByRole('button', { name: `Hold ${count} seats` }).click();
    await answered;
    await page.locator('section.hold[data-phase="held"]').waitFor();
    return Date.now();
  };

  it('A holds two seats and B sees them held within a second; A pays and both see them sold, A gets two QR tickets', async () => {
    await Promise.all([signIn(pageA, 'fan-a'), signIn(pageB, 'fan-b')]);
    expect(await availability(pageB, seatIds[0])).toBe('AVAILABLE');

    // The mouse: hovering a seat shows its name and price, a click selects it, another click drops it.
    const centre = async () => {
      const box = (await pageB.locator('.seat-focus').boundingBox())!;
      return { x: box.x + box.width / 2, y: box.y + box.height / 2 };
    };
    await selectByKeyboard(pageB, 8, 0);
    const ninth = await centre();
    await pageB.keyboard.press('ArrowRight');
    const tenth = await centre();
    const eighth = { x: 2 * ninth.x - tenth.x, y: ninth.y }; // seats are evenly spaced; the focus button covers the 10th
    await pageB.mouse.move(eighth.x, eighth.y);
    await expect(pageB.locator('.seat-tip').textContent()).resolves.toBe('Floor · row A · seat 8€89.00 · available');
    await pageB.mouse.click(eighth.x, eighth.y);
    await expect(pageB.getByTestId('selection').textContent()).resolves.toContain('Section Floor, row A, seat 8 — €89.00');
    await pageB.mouse.click(eighth.x, eighth.y);
    await expect(pageB.getByTestId('selection').count()).resolves.toBe(0);

    await selectByKeyboard(pageA, 0, 2);
    await expect(pageA.locator('.seat-focus').getAttribute('aria-label')).resolves.toBe('Section Floor, row A, seat 2, €89.00, selected');
    await expect(pageA.getByTestId('selection').locator('li').count()).resolves.toBe(2);
    const held = await hold(pageA, 2);
    await waitForSeats(pageB, seatIds.slice(0, 2), 'HELD', 5_000);
    const latency = Date.now() - held;
    process.stderr.write(`B saw A's hold ${latency} ms after createBooking answered\n`);
    expect(latency).toBeLessThan(1_000);
    // What a screen reader says for that seat on B's map
    await pageB.locator('.seat-focus').focus();
    await pageB.keyboard.press('Home');
    await expect(pageB.locator('.seat-focus').getAttribute('aria-label')).resolves.toBe('Section Floor, row A, seat 1, €89.00, held by someone else');

    await pageA.getByLabel('Visa ending 4242 (test: succeeds)').check();
    await pageA.getByRole('button', { name: 'Pay €178.00' }).click();
    await pageA.locator('.tickets img.qr').nth(1).waitFor({ timeout: 60_000 });
    const qrs = await pageA.locator('.tickets img.qr').evaluateAll((imgs) => imgs.map((i) => (i as HTMLImageElement).src.slice(0, 22)));
    expect(qrs).toEqual(['data:image/png;base64,', 'data:image/png;base64,']);
    expect(await seriousAxeViolations(pageA)).toEqual([]); // the event page with the paid hold and its tickets
    await waitForSeats(pageB, seatIds.slice(0, 2), 'SOLD', 15_000);
  });

  it("A's second hold takes a seat B had selected (B is told in a sentence); A's card is declined and the seats come back for B", async () => {
    await selectByKeyboard(pageB, 2, 1);
    await expect(pageB.getByTestId('selection').locator('li').count()).resolves.toBe(1);
    await pageA.getByRole('button', { name: 'Choose more seats' }).click();
    await selectByKeyboard(pageA, 2, 2);
    await hold(pageA, 2);
    await waitForSeats(pageB, seatIds.slice(2, 4), 'HELD');
    await expect(pageB.getByTestId('announcement').textContent()).resolves.toBe('Someone else just took row A, seat 3, so it was removed from your selection.');
    await expect(pageB.getByTestId('selection').count()).resolves.toBe(0);
    await pageA.getByLabel('Card ending 0002 (test: declined)').check();
    await pageA.getByRole('button', { name: 'Pay €178.00' }).click();
    await expect(pageA.getByRole('alert').first().textContent()).resolves.toContain('Your card was declined');
    await waitForSeats(pageB, seatIds.slice(2, 4), 'AVAILABLE', 15_000);
  });

  it("B's connection is cut and restored: a banner shows, and B's map catches up with what it missed", async () => {
    const before = await pageB.evaluate(() => window.__eventixSeatMap?.version);
    await b.setOffline(true);
    await pageB.locator('[data-connection="lost"]').waitFor({ timeout: 10_000 });
    await pageA.getByRole('button', { name: 'Choose more seats' }).click();
    await selectByKeyboard(pageA, 4, 2);
    await hold(pageA, 2);
    await new Promise((r) => setTimeout(r, 1_500));
    // Offline, B did not hear of it
    expect(await availability(pageB, seatIds[4])).toBe('AVAILABLE');
    process.stderr.write(`B's banner still up just before going online again: ${(await pageB.locator('[data-connection="lost"]').count()) === 1}\n`);
    await b.setOffline(false);
    await pageB.locator('[data-connection="lost"]').waitFor({ state: 'detached', timeout: 30_000 });
    await waitForSeats(pageB, seatIds.slice(4, 6), 'HELD', 15_000);
    expect(await pageB.evaluate(() => window.__eventixSeatMap?.version)).toBeGreaterThan(before as number);
  });

  it('A pays the held seats with the 3-D-Secure-like card: the bank confirms later, then the tickets appear and B sees the seats sold', async () => {
    await pageA.getByLabel('Card with 3-D Secure (test: bank confirms a few seconds later)').check();
    await pageA.getByRole('button', { name: 'Pay €178.00' }).click();
    await pageA.locator('section.hold[data-phase="paid"] .tickets img.qr').nth(1).waitFor({ timeout: 60_000 });
    await waitForSeats(pageB, seatIds.slice(4, 6), 'SOLD', 15_000);
  });

  it('A cancels a held booking on My bookings and the seats come back for B', async () => {
    await pageA.getByRole('button', { name: 'Choose more seats' }).click();
    await selectByKeyboard(pageA, 6, 2);
    await hold(pageA, 2);
    await waitForSeats(pageB, seatIds.slice(6, 8), 'HELD');
    await pageA.getByRole('link', { name: 'My bookings' }).click();
    const pendingId = await pageA.locator('li.booking[data-status="PENDING"]').getAttribute('data-booking-id');
    const pending = pageA.locator(`li.booking[data-booking-id="${pendingId}"]`);
    await pending.getByRole('button', { name: 'Cancel booking' }).click();
    await pending.getByRole('button', { name: 'Yes, cancel' }).click();
    await pending.getByText('Cancelled. The seats were released.').waitFor();
    await expect(pending.getAttribute('data-status')).resolves.toBe('CANCELLED');
    await waitForSeats(pageB, seatIds.slice(6, 8), 'AVAILABLE', 15_000);
    await expect(pageA.locator('li.booking[data-status="CONFIRMED"]').count()).resolves.toBe(2);
  });

  it('an organizer creates a venue from sections, creates and publishes an event, and watches its sales live', async () => {
    const c = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await c.newPage();
    page.on('pageerror', (e) => browserErrors.push(`organizer: ${e.message}`));
    await page.goto(`${web.url}sign-in?next=/organizer`);
    await page.getByLabel('Sign in as').fill('organizer-olga');
    await page.getByLabel('Organizer (may create venues and events)').check();
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: '1. Create a venue' }).waitFor();
    await page.getByLabel('Venue name').fill('Organizer Arena');
    await page.getByLabel('City').fill('Orgtown');
    await page.getByLabel('Rows').fill('2');
    await page.getByLabel('Seats per row').fill('3');
    await page.getByLabel('Price').fill('30');
    await page.getByRole('button', { name: 'Create venue' }).click();
    await page.getByText('Venue Organizer Arena created with 1 section(s).').waitFor();
    await page.getByLabel('Title').fill('Organizer Gala');
    await page.getByRole('button', { name: 'Create event' }).click();
    await page.getByRole('button', { name: 'Publish Organizer Gala' }).click();
    await page.getByText('Published: the event is going on sale.').waitFor();
    const sales = page.locator('.sales');
    await sales.locator('[data-count="available"]', { hasText: /^6$/ }).waitFor({ timeout: 30_000 });
    const galaId = (await sales.getAttribute('data-event-id'))!;
    // A fan holds one seat of it through the API: the organizer's counts move without a reload.
    const fan = h.as(await h.token('fan-gala'));
    const seats = await fan<{ event: { seats: Array<{ id: string }> } }>(`query($id: ID!) { event(id: $id) { seats { id } } }`, { id: galaId });
    const booked = await fan(`mutation($i: CreateBookingInput!) { createBooking(input: $i) { id } }`, { i: { eventId: galaId, seatIds: [seats.data!.event.seats[0].id] } });
    expect(booked.errors).toBeUndefined();
    await sales.locator('[data-count="held"]', { hasText: /^1$/ }).waitFor({ timeout: 10_000 });
    await expect(sales.locator('[data-count="available"]').textContent()).resolves.toBe('5');
    expect(await seriousAxeViolations(page)).toEqual([]);
    await c.close();
  });

  it('lists upcoming events only: an event that has started (its sales closed) is not on the list', async () => {
    const org = h.as(await h.token('list-organizer', ['catalog:write']));
    const venue = await org(operations.CreateVenueDocument, { input: { name: 'Yesterday Hall', city: 'Testville', sections: [{ name: 'A', rows: 1, seatsPerRow: 4, price: '10.00' }] } });
    const startsAt = new Date(Date.now() + 2_000).toISOString();
    const started = await org(operations.CreateEventDocument, { input: { venueId: venue.data!.createVenue.id, title: 'Already Started', startsAt, currency: 'EUR' } });
    await org(operations.PublishEventDocument, { id: started.data!.createEvent.id });
    await new Promise((resolve) => setTimeout(resolve, Date.parse(startsAt) - Date.now() + 500));
    await pageA.goto(`${web.url}`);
    await pageA.getByRole('link', { name: 'Browser Night' }).waitFor();
    expect(await pageA.getByRole('link', { name: 'Already Started' }).count()).toBe(0);
  });

  it('a free event asks for no card: A gets the ticket with one click', async () => {
    const free = await onSaleEvent(h, { venue: 'Open Hall', city: 'Testville', title: 'Free Night', section: 'Lawn', rows: 1, seatsPerRow: 4, price: '0.00' });
    await pageA.goto(`${web.url}events/${free.eventId}`);
    await pageA.locator('.seat-focus').waitFor();
    await pageA.waitForFunction(() => window.__eventixSeatMap?.version !== undefined);
    await selectByKeyboard(pageA, 0, 1);
    const answered = pageA.waitForResponse((r) => r.request().method() === 'POST' && (r.request().postData() ?? '').includes('WebHold'));
    await pageA.getByRole('button', { name: 'Hold 1 seat' }).click();
    await answered;
    const panel = pageA.locator('section.hold[data-phase="held"]');
    await panel.waitFor();
    await expect(panel.getByRole('radio').count()).resolves.toBe(0);
    await panel.getByRole('button', { name: 'Get free tickets' }).click();
    await pageA.locator('section.hold[data-phase="paid"] .tickets img.qr').first().waitFor({ timeout: 60_000 });
    await expect(pageA.locator('section.hold[data-phase="paid"] [role="status"]').textContent()).resolves.toBe('Booked. Enjoy the show!');
  });

  it('at the start an open event page closes its sales (a note, seats not on sale); My bookings then offers no cancellation of a paid booking', async () => {
    const org = h.as(await h.token('soon-organizer', ['catalog:write']));
    const venue = await org(operations.CreateVenueDocument, { input: { name: 'Soon Hall', city: 'Testville', sections: [{ name: 'A', rows: 1, seatsPerRow: 2, price: '15.00' }] } });
    const startsAt = new Date(Date.now() + 6_000).toISOString();
    const soon = (await org(operations.CreateEventDocument, { input: { venueId: venue.data!.createVenue.id, title: 'Starting Soon', startsAt, currency: 'EUR', singleSeatRule: 'ALLOW' } })).data!.createEvent.id;
    await org(operations.PublishEventDocument, { id: soon });
    h.platform.catalog.relay.nudge();
    const fanA = h.as(await h.token('fan-a'));
    let bookingId: string | undefined;
    let seats: Array<{ id: string }> = [];
    for (let i = 0; i < 100 && !bookingId; i++) {
      seats = (await fanA(operations.SeatMapDocument, { eventId: soon })).data?.event?.seats ?? [];
      const held = seats.length ? await fanA(operations.CreateBookingDocument, { input: { eventId: soon, seatIds: [seats[0].id] } }) : undefined;
      bookingId = held?.data?.createBooking.id;
      if (!bookingId) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect((await fanA(operations.PayBookingDocument, { input: { bookingId: bookingId!, paymentMethodToken: 'tok_visa' } })).errors).toBeUndefined();

    // The page is open before the start, with a seat on sale …
    await pageA.goto(`${web.url}events/${soon}`);
    await pageA.waitForFunction(() => window.__eventixSeatMap?.version !== undefined);
    await waitForSeats(pageA, [seats[1].id], 'AVAILABLE');
    expect(await pageA.getByTestId('sales-closed').count()).toBe(0);
    // … and at the start it says what the platform now answers, without a reload.
    await pageA.getByTestId('sales-closed').waitFor({ timeout: 15_000 });
    expect(Date.now()).toBeGreaterThanOrEqual(Date.parse(startsAt));
    await waitForSeats(pageA, [seats[1].id], 'NOT_ON_SALE', 1_000);
    expect(await availability(pageA, seats[0].id)).toBe('SOLD');
    await selectByKeyboard(pageA, 1, 1);
    await expect(pageA.getByTestId('selection').count()).resolves.toBe(0);

    await pageA.goto(`${web.url}bookings`);
    const card = pageA.locator(`li.booking[data-booking-id="${bookingId}"]`);
    await card.waitFor();
    await expect(card.getAttribute('data-status')).resolves.toBe('CONFIRMED');
    await expect(card.getByRole('button', { name: 'Cancel booking' }).count()).resolves.toBe(0);
  });

  it('has no serious or critical accessibility violations (axe-core) and saves screenshots at 375 and 1280 px', async () => {
    const check = async (page: Page, where: string) => expect((await seriousAxeViolations(page)).map((v) => `${where}: ${v}`)).toEqual([]);
    await check(pageB, 'event page');
    await pageA.goto(`${web.url}bookings`);
    await pageA.locator('li.booking[data-status="CONFIRMED"]').first().waitFor();
    await check(pageA, 'my bookings');
    await pageA.goto(`${web.url}`);
    await pageA.locator('.cards li').first().waitFor({ timeout: 30_000 }).catch(async (error: Error) => {
      throw new Error(`${error.message}\nthe page says: ${await pageA.locator('body').innerText()}`);
    });
    await check(pageA, 'events list');

    fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
    await pageB.mouse.move(0, 0);
    await pageB.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    for (const width of [375, 1280]) {
      await pageB.setViewportSize({ width, height: width < 600 ? 812 : 900 });
      await pageB.waitForTimeout(300);
      await pageB.locator('.seatmap').screenshot({ path: path.join(SCREENSHOT_DIR, `seat-map-${width}.png`) });
      await pageB.screenshot({ path: path.join(SCREENSHOT_DIR, `event-page-${width}.png`), fullPage: true });
    }
    expect(fs.existsSync(path.join(SCREENSHOT_DIR, 'seat-map-375.png'))).toBe(true);
    expect(browserErrors).toEqual([]);
  });
});
