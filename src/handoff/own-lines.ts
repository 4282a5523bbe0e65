/**
 * Agent lines a surface wrote itself (an agent's reply in its ticket thread): when the handoff echoes them back as a
 * transcript `message` event, the surface must not mirror them into the same thread again. Counted, since an agent
 * may send the same words twice.
 */
export class OwnLines {
  private readonly counts = new Map<string, number>();

  private static key(ticket: string, agent: string | undefined, text: string): string {
    return `${ticket}\0${agent ?? ''}\0${text}`;
  }

  /** Marks a line about to be sent. */
  mark(ticket: string, agent: string | undefined, text: string): void {
    const k = OwnLines.key(ticket, agent, text);
    this.counts.set(k, (this.counts.get(k) ?? 0) + 1);
  }

  /** Consumes one mark of the line; true when there was one (the line was written here). */
  release(ticket: string, agent: string | undefined, text: string): boolean {
    const k = OwnLines.key(ticket, agent, text);
    const n = this.counts.get(k);
    if (!n) return false;
    if (n === 1) this.counts.delete(k);
    else this.counts.set(k, n - 1);
    return true;
  }
}
