/**
 * A handoff ticket as a Block Kit message for the Slack agents' channel, the modal for a new intent's name, and the
 * lines mirrored into the card's thread. Pure. The card shows who is waiting (customer, channel, language, reason),
 * what the NLU made of it (top 3 intents with scores, entities), a transcript excerpt and the agents it is meant for
 * (those mapped to a Slack user @mentioned); its controls follow the ticket's state: **Claim** while queued, an intent
 * menu (the ticket's top intents, "Other / new intent…") and **Resolve** once claimed, none when closed. Text the
 * customer wrote is shown in `rich_text` elements (rendered literally: it cannot format the card, link or mention), the
 * rest is mrkdwn with `&`, `<`, `>` escaped.
 */
import type { types } from '@slack/bolt';
import type { AgentProfile } from '../../handoff/agent-routing.ts';
import type { Ticket, TranscriptEntry } from '../../handoff/ticket.ts';
import { ticketStatusLine } from '../../handoff/ticket-thread-notes.ts';
import { escapeMrkdwn, type SlackMessage } from './reply-to-slack.ts';

type KnownBlock = types.KnownBlock;
type ModalView = types.ModalView;

/** `action_id`s of the card's controls (the adapter routes every `switchboard_ticket_*` action to the agents' channel). */
export const TICKET_ACTION = {
  prefix: 'switchboard_ticket_',
  claim: 'switchboard_ticket_claim',
  resolve: 'switchboard_ticket_resolve',
  label: 'switchboard_ticket_label',
  /** The modal's text input. */
  labelText: 'switchboard_ticket_label_text',
} as const;

/** `callback_id` of the "new intent" modal. */
export const RESOLVE_VIEW = 'switchboard_ticket_resolve';
/** The intent menu's "Other / new intent…" value (not an intent name: those never contain `:`). */
export const OTHER_LABEL = 'switchboard:other';
/** Longest intent label accepted (menu or modal). */
export const MAX_LABEL = 100;
/** Lines of the transcript shown on the card (the latest). */
const EXCERPT_LINES = 6;
/** Characters of one transcript line, or of one entity, shown on the card. */
const MAX_LINE = 280;
/** Block Kit limits: section text, option text. */
const MAX_SECTION_TEXT = 3000;
const MAX_OPTION_TEXT = 75;

/** What the card shows besides the ticket. */
export interface SlackTicketView {
  /** The customer's display name (a Teams customer's, from their conversation reference), else the ticket's user id. */
  customerName?: string;
  /** The agents the ticket is routed to. */
  agents: readonly AgentProfile[];
  /** An agent id → how to show it, as mrkdwn (escaped; an unmapped Slack agent as a `<@U…>` mention). */
  agentName: (agent: string) => string;
  /** An agent id → their name as plain text (for the transcript excerpt, where mrkdwn is not read). */
  agentPlainName: (agent: string) => string;
}

/** Where a ticket's card is in Slack. */
export interface SlackCard {
  channel: string;
  /** The card message's ts: the root of its thread. */
  ts: string;
}

/**
 * The card for `ticket` in its current state: `text` (notifications, screen readers; mentions the routed agents when
 * the ticket is new) and `blocks`.
 *
 * @example
 * const { text, blocks } = ticketBlocks(ticket, { agents: eligible, agentName: (id) => identity.nameOf(id) });
 * await client.chat.postMessage({ channel: 'C0AGENTS', text, blocks });
 */
export function ticketBlocks(ticket: Ticket, view: SlackTicketView): SlackMessage {
  const status = statusLine(ticket, view.agentName);
  const customer = escapeMrkdwn(clip(view.customerName ?? ticket.customer));
  const blocks: KnownBlock[] = [
    { type: 'section', block_id: 'switchboard_ticket_status', text: { type: 'mrkdwn', text: `*${status}*` } },
    {
      type: 'section',
      block_id: 'switchboard_ticket_facts',
      fields: [
        field('Customer', customer),
        field('Channel', escapeMrkdwn(ticket.channel)),
        field('Language', escapeMrkdwn(ticket.language)),
        field('Reason', escapeMrkdwn(ticket.reason.replace(/_/g, ' '))),
        field('Ticket', `\`${escapeMrkdwn(ticket.id)}\``),
      ],
    },
    {
      type: 'section',
      block_id: 'switchboard_ticket_intents',
      text: { type: 'mrkdwn', text: `*Top intents*\n${intentLines(ticket)}` },
    },
  ];
  if (ticket.entities.length) {
    const lines = ticket.entities.slice(0, 10).map((e) => `${escapeMrkdwn(e.type)}: ${escapeMrkdwn(clip(e.text))}`);
    blocks.push({
      type: 'section',
      block_id: 'switchboard_ticket_entities',
      text: { type: 'mrkdwn', text: cut(`*Entities*\n${lines.join('\n')}`, MAX_SECTION_TEXT) },
    });
  }
  blocks.push(
    { type: 'section', block_id: 'switchboard_ticket_transcript', text: { type: 'mrkdwn', text: '*Transcript*' } },
    excerpt(ticket.transcript, view),
  );
  const routed = view.agents.map((a) => (a.slack_user ? `<@${a.slack_user}>` : escapeMrkdwn(a.name ?? a.id)));
  if (routed.length) {
    blocks.push({
      type: 'context',
      block_id: 'switchboard_ticket_agents',
      elements: [{ type: 'mrkdwn', text: cut(`For: ${routed.join(', ')}`, MAX_SECTION_TEXT) }],
    });
  }
  blocks.push(...controls(ticket));
  const what = `${escapeMrkdwn(ticket.language)}, ${escapeMrkdwn(ticket.reason.replace(/_/g, ' '))}`;
  const text =
    ticket.status === 'queued'
      ? `New handoff ticket (${what})${routed.length ? ` for ${routed.join(', ')}` : ''}`
      : `${status} (${what})`;
  return { text, blocks };
}

/** The card's headline (mrkdwn): the ticket's state and who has it. */
export function statusLine(ticket: Ticket, agentName: (agent: string) => string): string {
  const who = ticket.agent ? agentName(ticket.agent) : 'an agent';
  return ticketStatusLine(ticket, who, ticket.label ? escapeMrkdwn(ticket.label) : undefined);
}

/**
 * A transcript line for the card's thread: `speaker: text`, the text literal (a `rich_text` element), with an escaped
 * fallback `text`.
 *
 * @example transcriptLine('Customer', 'see <!channel> *now*') // blocks render "Customer: see <!channel> *now*" as typed
 */
export function transcriptLine(speaker: string, text: string): SlackMessage {
  return {
    text: cut(`${escapeMrkdwn(speaker)}: ${escapeMrkdwn(text)}`, 39_000),
    blocks: [
      {
        type: 'rich_text',
        block_id: 'switchboard_line',
        elements: [
          {
            type: 'rich_text_section',
            elements: [
              { type: 'text', text: `${speaker}: `, style: { bold: true } },
              { type: 'text', text: text || ' ' },
            ],
          },
        ],
      },
    ],
  };
}

/**
 * The modal asking for the intent's name when "Other / new intent…" was chosen; `private_metadata` says which ticket and
 * card it is for (checked again on submission).
 */
export function resolveModal(ticket: Ticket, card: SlackCard): ModalView {
  return {
    type: 'modal',
    callback_id: RESOLVE_VIEW,
    private_metadata: JSON.stringify({ ticket: ticket.id, channel: card.channel, ts: card.ts }),
    title: { type: 'plain_text', text: 'Resolve ticket' },
    submit: { type: 'plain_text', text: 'Resolve' },
    close: { type: 'plain_text', text: 'Cancel' },
    blocks: [
      {
        type: 'input',
        block_id: 'switchboard_ticket_label',
        label: { type: 'plain_text', text: 'What did the customer want? (a new or other intent)' },
        hint: { type: 'plain_text', text: 'Becomes a training example, e.g. bill_query' },
        element: {
          type: 'plain_text_input',
          action_id: TICKET_ACTION.labelText,
          min_length: 1,
          max_length: MAX_LABEL,
          placeholder: { type: 'plain_text', text: 'intent name' },
        },
      },
    ],
  };
}

/** Claim while queued; the intent menu and Resolve while claimed; nothing once closed. */
function controls(ticket: Ticket): KnownBlock[] {
  if (ticket.status === 'queued') {
    return [
      {
        type: 'actions',
        block_id: 'switchboard_ticket_queued',
        elements: [
          {
            type: 'button',
            action_id: TICKET_ACTION.claim,
            text: { type: 'plain_text', text: 'Claim', emoji: true },
            style: 'primary',
            value: ticket.id,
          },
        ],
      },
    ];
  }
  if (ticket.status !== 'claimed') return [];
  const options = [
    ...ticket.intents.slice(0, 3).map((i) => option(`${i.intent} (${i.score.toFixed(2)})`, i.intent)),
    option('Other / new intent…', OTHER_LABEL),
  ];
  return [
    {
      type: 'actions',
      block_id: 'switchboard_ticket_claimed',
      elements: [
        {
          type: 'static_select',
          action_id: TICKET_ACTION.label,
          placeholder: { type: 'plain_text', text: 'Intent label (optional)' },
          options,
        },
        {
          type: 'button',
          action_id: TICKET_ACTION.resolve,
          text: { type: 'plain_text', text: 'Resolve', emoji: true },
          value: ticket.id,
        },
      ],
    },
  ];
}

function option(text: string, value: string): types.PlainTextOption {
  return { text: { type: 'plain_text', text: cut(text, MAX_OPTION_TEXT) }, value };
}

function field(title: string, value: string): types.MrkdwnElement {
  return { type: 'mrkdwn', text: `*${title}*\n${value}` };
}

function intentLines(ticket: Ticket): string {
  if (!ticket.intents.length) return '— (a button press or no text)';
  return ticket.intents
    .slice(0, 3)
    .map((i) => `\`${escapeMrkdwn(i.intent)}\` ${i.score.toFixed(2)}`)
    .join('\n');
}

/** The last lines of the transcript, one list item each, the speaker in bold; the text literal. */
function excerpt(transcript: readonly TranscriptEntry[], view: SlackTicketView): KnownBlock {
  const lines = transcript.slice(-EXCERPT_LINES);
  const item = (speaker: string, text: string): types.RichTextSection => ({
    type: 'rich_text_section',
    elements: [
      { type: 'text', text: `${speaker}: `, style: { bold: true } },
      { type: 'text', text: clip(text) || ' ' },
    ],
  });
  return {
    type: 'rich_text',
    block_id: 'switchboard_ticket_excerpt',
    elements: [
      {
        type: 'rich_text_list',
        style: 'bullet',
        elements: lines.length ? lines.map((e) => item(speaker(e, view), e.text)) : [item('—', '(empty)')],
      },
    ],
  };
}

function speaker(e: TranscriptEntry, view: SlackTicketView): string {
  if (e.from === 'customer') return view.customerName ?? 'Customer';
  if (e.from === 'agent') return e.agent ? view.agentPlainName(e.agent) : 'Agent';
  return 'Bot';
}

/** A line cut to {@link MAX_LINE} characters (with an ellipsis), spaces collapsed. */
function clip(s: string): string {
  const one = s.replace(/\s+/g, ' ').trim();
  return one.length > MAX_LINE ? `${one.slice(0, MAX_LINE - 1)}…` : one;
}

function cut(s: string, max: number): string {
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}
