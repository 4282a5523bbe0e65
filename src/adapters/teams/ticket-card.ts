/**
 * A handoff ticket as an Adaptive Card for the Teams agents' channel, and the data its buttons send back. Pure. The card
 * shows who is waiting (customer, channel, language, reason), what the NLU made of it (top 3 intents with scores,
 * entities), a transcript excerpt and the agents the ticket is meant for; its buttons follow the ticket's state: **Claim**
 * while queued, **Resolve** (with an intent label: one of the ticket's top intents or a name typed in) once claimed,
 * none when closed. Customer text on the card is escaped so it cannot format the card or add links. The card uses
 * only what its declared version (1.4, every Teams client) defines: a test validates each state with Microsoft's parser.
 */
import type { Attachment } from 'botbuilder';
import type { AgentProfile } from '../../handoff/agent-routing.ts';
import type { Ticket, TranscriptEntry } from '../../handoff/ticket.ts';
import { ticketStatusLine } from '../../handoff/ticket-thread-notes.ts';
import { ADAPTIVE_CARD_CONTENT_TYPE } from './reply-to-teams.ts';

/** Lines of the transcript shown on the card (the latest). */
const EXCERPT_LINES = 6;
/** Characters of one transcript line, or of one entity, shown on the card. */
const MAX_LINE = 280;
/** Longest intent label accepted from the Resolve form. */
export const MAX_LABEL = 100;
/**
 * The ChoiceSet value meaning "no label": a choice must have a value (an empty one is `PropertyCantBeNull` to Adaptive
 * Cards), and intent names never contain `:`.
 */
export const NO_LABEL = 'switchboard:none';

/** What an agent's button press asks for. */
export interface TicketSubmit {
  action: 'claim' | 'resolve';
  ticket: string;
  /** Resolve: the intent label chosen or typed (typed wins), if any. */
  label?: string;
}

/** What the card shows besides the ticket. */
export interface TicketCardView {
  /** The customer's display name (a Teams customer's, from the conversation reference), else the ticket's user id. */
  customerName?: string;
  /** The agents the ticket is routed to. */
  agents: readonly AgentProfile[];
  /** An agent id → the name to show. */
  agentName: (agent: string) => string;
}

/**
 * The card for `ticket` in its current state.
 *
 * @example
 * const attachment = ticketCard(ticket, { agents: eligible, agentName: (id) => handoffs.agentName(id) });
 * await sender.post(agentsChannel, { type: 'message', attachments: [attachment] });
 */
export function ticketCard(ticket: Ticket, view: TicketCardView): Attachment {
  const mentions = view.agents.filter((a) => a.teams_user);
  const body: Record<string, unknown>[] = [
    {
      type: 'TextBlock',
      text: statusLine(ticket, view.agentName),
      weight: 'Bolder',
      size: 'Medium',
      wrap: true,
    },
    {
      type: 'FactSet',
      facts: [
        { title: 'Customer', value: escapeMarkdown(view.customerName ?? ticket.customer) },
        { title: 'Channel', value: ticket.channel },
        { title: 'Language', value: ticket.language },
        { title: 'Reason', value: ticket.reason.replace(/_/g, ' ') },
        { title: 'Ticket', value: ticket.id },
      ],
    },
    section('Top intents'),
    {
      type: 'FactSet',
      facts: ticket.intents.length
        ? ticket.intents.slice(0, 3).map((i) => ({ title: i.intent, value: i.score.toFixed(2) }))
        : [{ title: '—', value: 'none (a button press or no text)' }],
    },
  ];
  if (ticket.entities.length) {
    body.push(section('Entities'), {
      type: 'FactSet',
      facts: ticket.entities.slice(0, 10).map((e) => ({ title: e.type, value: escapeMarkdown(clip(e.text)) })),
    });
  }
  body.push(section('Transcript'), ...excerpt(ticket.transcript, view));
  if (view.agents.length) {
    const names = view.agents.map((a) =>
      a.teams_user ? `<at>${escapeMarkdown(a.name ?? a.id)}</at>` : escapeMarkdown(a.name ?? a.id),
    );
    body.push({ type: 'TextBlock', text: `For: ${names.join(', ')}`, wrap: true, isSubtle: true, spacing: 'Medium' });
  }
  return {
    contentType: ADAPTIVE_CARD_CONTENT_TYPE,
    content: {
      type: 'AdaptiveCard',
      $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
      version: '1.4',
      body,
      actions: actions(ticket),
      msteams: {
        width: 'Full',
        ...(mentions.length
          ? {
              entities: mentions.map((a) => ({
                type: 'mention',
                text: `<at>${escapeMarkdown(a.name ?? a.id)}</at>`,
                mentioned: { id: a.teams_user, name: a.name ?? a.id },
              })),
            }
          : {}),
      },
    },
  };
}

/** The card's headline: the ticket's state and who has it. */
export function statusLine(ticket: Ticket, agentName: (agent: string) => string): string {
  const who = ticket.agent ? escapeMarkdown(agentName(ticket.agent)) : '';
  return ticketStatusLine(ticket, who, ticket.label ? escapeMarkdown(ticket.label) : undefined);
}

function section(title: string): Record<string, unknown> {
  return { type: 'TextBlock', text: title, weight: 'Bolder', spacing: 'Medium', separator: true };
}

/** The last lines of the transcript, one TextBlock each, the sender in bold. */
function excerpt(transcript: readonly TranscriptEntry[], view: TicketCardView): Record<string, unknown>[] {
  const lines = transcript.slice(-EXCERPT_LINES);
  if (!lines.length) return [{ type: 'TextBlock', text: '(empty)', isSubtle: true }];
  return lines.map((e) => ({
    type: 'TextBlock',
    text: `**${escapeMarkdown(speaker(e, view))}:** ${escapeMarkdown(clip(e.text))}`,
    wrap: true,
    spacing: 'Small',
  }));
}

function speaker(e: TranscriptEntry, view: TicketCardView): string {
  if (e.from === 'customer') return view.customerName ?? 'Customer';
  if (e.from === 'agent') return e.agent ? view.agentName(e.agent) : 'Agent';
  return 'Bot';
}

/** Claim while queued; Resolve (a form with the intent label) while claimed; nothing once closed. */
function actions(ticket: Ticket): Record<string, unknown>[] {
  if (ticket.status === 'queued') {
    return [{ type: 'Action.Submit', title: 'Claim', style: 'positive', data: submitData('claim', ticket.id) }];
  }
  if (ticket.status !== 'claimed') return [];
  const choices = [
    { title: '(no label)', value: NO_LABEL },
    ...ticket.intents.slice(0, 3).map((i) => ({ title: `${i.intent} (${i.score.toFixed(2)})`, value: i.intent })),
  ];
  return [
    {
      type: 'Action.ShowCard',
      title: 'Resolve…',
      card: {
        type: 'AdaptiveCard',
        body: [
          { type: 'TextBlock', text: 'What did the customer want? (becomes a training example)', wrap: true },
          { type: 'Input.ChoiceSet', id: 'label', style: 'compact', value: NO_LABEL, choices },
          { type: 'Input.Text', id: 'label_text', placeholder: '…or type an intent name', maxLength: MAX_LABEL },
        ],
        actions: [{ type: 'Action.Submit', title: 'Resolve', data: submitData('resolve', ticket.id) }],
      },
    },
  ];
}

function submitData(action: TicketSubmit['action'], ticket: string): Record<string, string> {
  return { switchboard: 'ticket', action, ticket };
}

/**
 * The button data of a ticket card as Teams sends it back (the `value` of a message activity: the button's data plus
 * the form's inputs), or undefined when it is not one. Untrusted: every field is checked.
 *
 * @example parseTicketSubmit({ switchboard: 'ticket', action: 'resolve', ticket: 't_1', label: 'alarm_set', label_text: '' })
 * // { action: 'resolve', ticket: 't_1', label: 'alarm_set' }
 */
export function parseTicketSubmit(value: unknown): TicketSubmit | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const v = value as Record<string, unknown>;
  if (v.switchboard !== 'ticket' || (v.action !== 'claim' && v.action !== 'resolve')) return undefined;
  if (typeof v.ticket !== 'string' || !/^[\w-]{1,64}$/.test(v.ticket)) return undefined;
  if (v.action === 'claim') return { action: 'claim', ticket: v.ticket };
  const label = labelOf(v.label_text) ?? (v.label === NO_LABEL ? undefined : labelOf(v.label));
  return { action: 'resolve', ticket: v.ticket, ...(label ? { label } : {}) };
}

function labelOf(v: unknown): string | undefined {
  if (typeof v !== 'string') return undefined;
  const s = v.trim().replace(/\s+/g, ' ');
  return s && s.length <= MAX_LABEL ? s : undefined;
}

/** A line cut to {@link MAX_LINE} characters (with an ellipsis). */
function clip(s: string): string {
  return s.length > MAX_LINE ? `${s.slice(0, MAX_LINE - 1)}…` : s;
}

/**
 * Text made inert for an Adaptive Card TextBlock (which renders a markdown subset): emphasis, code and link
 * punctuation backslash-escaped, a leading heading/list/quote marker too, `<`/`>` as look-alikes so no `<at>` mention
 * can be forged, newlines as spaces.
 *
 * @example escapeMarkdown('**free** [money](http://x)') // '\\*\\*free\\*\\* \\[money\\](http://x)'
 */
export function escapeMarkdown(s: string): string {
  return s
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/[\\`*_[\]~]/g, (c) => `\\${c}`)
    .replace(/^([#>+-]|\d+\.)/, '\\$1')
    .replace(/</g, '‹')
    .replace(/>/g, '›');
}
