/**
 * Events whose last transaction saw the lone-seat rule (PREVENT — the default for a new event).
 * The one-statement hold takes only events without it and writes nothing for them, so their
 * holds go straight to the transaction instead of paying a round trip for nothing. Learnt from
 * each transaction's own read of the event, so a rule changed either way is followed from the
 * next transaction on; it only decides whether to try the statement, which checks the rule
 * itself. At most MAX events (then it starts over: a forgotten event costs one statement).
 */
export class LoneSeatRuleEvents {
  private static readonly MAX = 10_000;
  private readonly events = new Set<string>();

  has(eventId: string): boolean {
    return this.events.has(eventId);
  }

  note(eventId: string, hasRule: boolean): void {
    if (!hasRule) {
      this.events.delete(eventId);
      return;
    }
    if (this.events.size >= LoneSeatRuleEvents.MAX) this.events.clear();
    this.events.add(eventId);
  }
}
