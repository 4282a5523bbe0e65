/**
 * The Teams agents' channel (`SWITCHBOARD_TEAMS_AGENTS_CONVERSATION`): the agents' desk ({@link AgentsDesk}) over the
 * Teams port ({@link TeamsTicketCards}). Every ticket is an Adaptive Card in the channel; Claim and Resolve are the
 * card's buttons, and an agent's reply in the card's thread goes to the customer. An agent is the config's
 * `agents[].teams_user` (aadObjectId or Teams user id), else `teams:<id>`. This module keeps the channel's address
 * current, says hello when installed, and turns activities into the desk's {@link AgentAction}s.
 */
import type { Activity, ConversationReference } from 'botbuilder';
import type { BotConfig } from '../../config/bot-config.ts';
import { type AgentAction, AgentsDesk, type AgentsDeskOptions } from '../../handoff/agents-desk.ts';
import type { HandoffService } from '../../handoff/handoff-service.ts';
import type { Logger } from '../../log.ts';
import type { ConversationStore } from '../../store/conversation-store.ts';
import { AgentsChannelAddress } from './agents-channel-address.ts';
import type { TeamsSender } from './teams-sender.ts';
import { type TeamsCard, TeamsTicketCards } from './teams-ticket-cards.ts';
import { stripBotMention } from './teams-to-turn.ts';
import { parseTicketSubmit } from './ticket-card.ts';

export { type TeamsCard, threadId } from './teams-ticket-cards.ts';

export interface TeamsAgentsChannelOptions {
  /** `SWITCHBOARD_TEAMS_AGENTS_*`: the channel's conversation id, and its service URL and tenant when known. */
  settings: { conversation: string; serviceUrl?: string; tenantId?: string };
  /** The bot's Teams id (`28:<app id>`), for a reference built from the settings. */
  botId: string;
  sender: Pick<TeamsSender, 'post' | 'update'>;
  handoffs: HandoffService;
  conversations: ConversationStore;
  config?: Pick<BotConfig, 'agents'>;
  log: Logger;
  /** Chores one instance at a time (the catch-up). */
  exclusive?: AgentsDeskOptions<TeamsCard>['exclusive'];
}

const HELLO =
  'Handoff tickets will be posted in this channel. Claim one with its button, reply in its thread to talk to ' +
  'the customer, and resolve it when done.';

export class TeamsAgentsChannel extends AgentsDesk<TeamsCard> {
  private readonly address: AgentsChannelAddress;
  private readonly cards: TeamsTicketCards;

  constructor(private readonly o: TeamsAgentsChannelOptions) {
    const address = new AgentsChannelAddress(o);
    const cards = new TeamsTicketCards(address, o.sender, o.log);
    super({
      port: cards,
      handoffs: o.handoffs,
      conversations: o.conversations,
      agents: o.config?.agents,
      log: o.log,
      exclusive: o.exclusive,
    });
    this.address = address;
    this.cards = cards;
  }

  /** Loads the channel's reference (the settings', else one stored from an earlier activity); posts missing cards. */
  async start(): Promise<void> {
    if (await this.address.load()) this.catchUp();
    else this.cards.warnUnknown();
  }

  /** The channel's conversation id. */
  get conversation(): string {
    return this.address.conversation;
  }

  /** The channel's reference as this process knows it (tests, diagnostics). */
  get channelReference(): ConversationReference | undefined {
    return this.address.current;
  }

  /** True when `activity` comes from the agents' channel (a post, a thread reply, a card button, an install). */
  owns(activity: Partial<Activity> | undefined): boolean {
    return this.address.owns(activity);
  }

  /** An activity from the agents' channel (after authentication): a button, a thread reply, the bot's install. */
  async handle(activity: Partial<Activity>): Promise<void> {
    const id = typeof activity.id === 'string' ? activity.id.slice(0, 256) : undefined;
    if (!this.address.allows(activity)) return this.ignored('other_tenant', { id });
    if (await this.address.learn(activity)) this.catchUp();
    if (activity.type === 'conversationUpdate') return this.installed(activity, id);
    if (activity.type !== 'message') return this.ignored('not_a_message', { id });
    const from = activity.from;
    if (!from?.id || from.id === activity.recipient?.id || from.role === 'bot') return this.ignored('from_bot', { id });
    if (!id) return this.ignored('missing_fields', { id });
    const thread = this.threadOf(activity);
    const common = {
      event: `teams:${id}`,
      logged: { id },
      by: { ids: [from.aadObjectId ?? '', from.id], ...(from.name ? { name: from.name } : {}) },
      ...(thread ? { card: thread, replyTo: thread } : {}),
    };
    let action: AgentAction;
    if (activity.value !== undefined && activity.value !== null) {
      const submit = parseTicketSubmit(activity.value);
      if (!submit) return this.ignored('unknown_submit', { id });
      const label = submit.label ? { label: submit.label } : {};
      action = { kind: submit.action, ticket: submit.ticket, ...label, ...common };
    } else {
      if (!thread) return this.ignored('not_in_a_thread', { id });
      const text = stripBotMention(activity.text ?? '', activity.entities, activity.recipient?.id ?? '');
      action = { kind: 'reply', text, ...common };
    }
    return this.act(action);
  }

  /** The thread an activity belongs to: its conversation id's `;messageid=`, else the message it replies to. */
  private threadOf(activity: Partial<Activity>): string | undefined {
    const id = activity.conversation?.id ?? '';
    const message = /;messageid=([^;]+)/.exec(id)?.[1];
    if (message) return `${this.conversation};messageid=${message}`;
    return typeof activity.replyToId === 'string' && activity.replyToId
      ? `${this.conversation};messageid=${activity.replyToId}`
      : undefined;
  }

  /** The bot added to the agents' channel: say what the channel is for (once per activity). */
  private async installed(activity: Partial<Activity>, id: string | undefined): Promise<void> {
    const added = activity.membersAdded ?? [];
    if (!added.some((m) => m.id === activity.recipient?.id)) {
      const reason = added.length ? 'members_added' : activity.membersRemoved?.length ? 'members_removed' : 'update';
      return this.ignored(reason, { id });
    }
    if (id && !(await this.o.conversations.claimEvent(`teams:${id}`))) return this.ignored('duplicate', { id });
    await this.cards.say(this.conversation, HELLO);
  }
}
