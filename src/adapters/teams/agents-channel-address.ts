/**
 * Where the Teams agents' channel is: the ConversationReference the bot posts cards and thread replies with. Built
 * from the settings (`SWITCHBOARD_TEAMS_AGENTS_CONVERSATION` + `…_SERVICE_URL` + `…_TENANT`), else the one stored from
 * an earlier activity; every activity from the channel keeps it current (Teams' service URL for a tenant can move),
 * and a changed one is stored so that a restart knows it.
 */
import type { Activity, ConversationReference } from 'botbuilder';
import type { Logger } from '../../log.ts';
import type { ConversationStore } from '../../store/conversation-store.ts';

/** A Teams conversation id without its `;messageid=` part. */
export const baseConversation = (id: string) => id.split(';')[0];

/** The tenant an activity comes from (`conversation.tenantId`, else `channelData.tenant.id`). */
export function tenantOf(activity: Partial<Activity>): string | undefined {
  const id = activity.conversation?.tenantId ?? (activity.channelData as { tenant?: { id?: unknown } })?.tenant?.id;
  return typeof id === 'string' && id ? id : undefined;
}

export interface AgentsChannelAddressOptions {
  settings: { conversation: string; serviceUrl?: string; tenantId?: string };
  /** The bot's Teams id (`28:<app id>`), for a reference built from the settings. */
  botId: string;
  conversations: ConversationStore;
  log: Logger;
}

export class AgentsChannelAddress {
  /** The channel's conversation id (`19:…@thread.tacv2`). */
  readonly conversation: string;
  private reference?: ConversationReference;

  constructor(private readonly o: AgentsChannelAddressOptions) {
    this.conversation = baseConversation(o.settings.conversation);
  }

  /** The channel's reference, when known. */
  get current(): ConversationReference | undefined {
    return this.reference;
  }

  /** Loads it: the settings' service URL wins; without one, the reference stored from an earlier activity. */
  async load(): Promise<ConversationReference | undefined> {
    const { serviceUrl, tenantId } = this.o.settings;
    if (serviceUrl) {
      this.reference = this.build(serviceUrl, { id: this.o.botId, name: 'switchboard' }, tenantId, 'msteams');
    } else {
      const stored = await this.o.conversations.getAddress(this.storeKey);
      this.reference = stored?.address as ConversationReference | undefined;
    }
    return this.reference;
  }

  /** True when `activity` is from the channel (a post, a thread reply, a card button, an install). */
  owns(activity: Partial<Activity> | undefined): boolean {
    const id = activity?.conversation?.id;
    return typeof id === 'string' && baseConversation(id) === this.conversation;
  }

  /** False for an activity from another tenant than the configured one. */
  allows(activity: Partial<Activity>): boolean {
    const tenant = tenantOf(activity);
    return !tenant || !this.o.settings.tenantId || tenant === this.o.settings.tenantId;
  }

  /**
   * Keeps the reference an activity from the channel implies (stored when it changed); true when the channel was not
   * known before (its waiting cards can go now).
   */
  async learn(activity: Partial<Activity>): Promise<boolean> {
    const { serviceUrl, recipient } = activity;
    if (typeof serviceUrl !== 'string' || !/^https?:\/\//i.test(serviceUrl) || !recipient?.id) return false;
    const before = this.reference;
    if (before && before.serviceUrl === serviceUrl && before.bot.id === recipient.id) return false;
    const channelId = typeof activity.channelId === 'string' ? activity.channelId : 'msteams';
    const bot = { id: recipient.id, name: recipient.name ?? 'switchboard' };
    this.reference = this.build(serviceUrl, bot, tenantOf(activity) ?? this.o.settings.tenantId, channelId);
    await this.o.conversations.setAddress(this.storeKey, { channel: 'teams', address: this.reference });
    this.o.log.info('teams_agents_reference', { conversation: this.conversation, learnt: true });
    return !before;
  }

  /** The reference for a conversation in the channel: the channel itself, or a thread (`…;messageid=…`). */
  at(conversationId: string = this.conversation): ConversationReference | undefined {
    const r = this.reference;
    return r ? { ...r, conversation: { ...r.conversation, id: conversationId } } : undefined;
  }

  private get storeKey(): string {
    return `teams:${this.conversation}`;
  }

  private build(
    serviceUrl: string,
    bot: ConversationReference['bot'],
    tenantId: string | undefined,
    channelId: string,
  ): ConversationReference {
    return {
      channelId,
      serviceUrl,
      bot,
      conversation: {
        id: this.conversation,
        isGroup: true,
        conversationType: 'channel',
        name: 'agents',
        ...(tenantId ? { tenantId } : {}),
      },
    };
  }
}
