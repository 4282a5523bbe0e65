/**
 * The short notes the bot writes into a ticket card's thread in an agents' channel (Slack or Teams) when the ticket
 * changes (the card itself is updated too; a thread reply is what notifies people), and why an agent's action was
 * refused. Pure; plain text; English (the agents' working language).
 */
import type { TicketEvent } from './handoff-service.ts';
import type { Ticket } from './ticket.ts';

/**
 * The note for a ticket event, or undefined when the event needs none (`opened`: the card is the news; `message`:
 * mirrored as the line itself).
 *
 * @example threadNote({ kind: 'claimed', ticket }, (id) => 'Ann') // 'Ann claimed this ticket: replies in this thread go to the customer.'
 */
export function threadNote(event: TicketEvent, agentName: (agent: string) => string): string | undefined {
  const { ticket } = event;
  const who = ticket.agent ? agentName(ticket.agent) : 'An agent';
  switch (event.kind) {
    case 'claimed':
      return `${who} claimed this ticket: replies in this thread go to the customer.`;
    case 'resolved':
      return `${who} resolved this ticket${ticket.label ? ` (intent: ${ticket.label})` : ''}. The bot answers the customer again.`;
    case 'abandoned':
      return 'Closed without an agent: the customer was told to write again and the bot answers them.';
    case 'cancelled':
      return 'The customer left the queue: cancelled by the customer, the bot answers them again.';
    case 'alert':
      return `⏰ Waiting for ${Math.max(1, Math.round(event.waitedMs / 60_000))} min: can someone claim it?`;
    default:
      return undefined;
  }
}

/**
 * Why an agent's action was refused, for the thread: the ticket is unknown, closed, not claimed yet, or someone else's.
 *
 * @example refusalText(claimedByAnn, 'resolve', name) // '⚠️ Only Ann, who claimed this ticket, can resolve it.'
 */
export function refusalText(
  ticket: Ticket | undefined,
  action: 'claim' | 'resolve' | 'message',
  agentName: (agent: string) => string,
): string {
  const unsent = action === 'message' ? ' Your message was not sent.' : '';
  if (!ticket) return '⚠️ There is no such ticket.';
  if (ticket.status === 'resolved' || ticket.status === 'abandoned' || ticket.status === 'cancelled') {
    return `⚠️ This ticket is closed (${ticket.status}).${unsent}`;
  }
  const claimant = ticket.agent ? agentName(ticket.agent) : 'another agent';
  if (action === 'claim') return `⚠️ ${claimant} has already claimed this ticket.`;
  if (ticket.status === 'queued') return `⚠️ Claim the ticket first.${unsent}`;
  const what = action === 'resolve' ? 'resolve it' : 'write to the customer';
  return `⚠️ Only ${claimant}, who claimed this ticket, can ${what}.${unsent}`;
}

/** Told to an agent whose action met a database outage: nothing changed, nothing was sent (agents' actions are not spooled). */
export const STORE_DOWN_TEXT =
  '⚠️ The database is unavailable right now: nothing was changed and nothing was sent to the customer. Please try again in a moment.';

/**
 * A ticket card's headline: its state and who has it. `who` and `label` come already escaped for the channel's markup.
 *
 * @example ticketStatusLine(claimedByAnn, 'Ann') // '🟢 Claimed by Ann'
 */
export function ticketStatusLine(ticket: Ticket, who: string, label: string | undefined): string {
  switch (ticket.status) {
    case 'queued':
      return '🟡 Waiting for an agent';
    case 'claimed':
      return `🟢 Claimed by ${who}`;
    case 'resolved':
      return `✅ Resolved by ${who}${label ? ` — intent: ${label}` : ''}`;
    case 'abandoned':
      return '⚪ Closed without an agent';
    case 'cancelled':
      return '⚪ Cancelled by the customer';
  }
}
