/**
 * Sends the bot's messages into Teams conversations, proactively, from a stored `ConversationReference`
 * (`adapter.continueConversationAsync`): replies to a customer's turn and, later, an agent's messages take the same
 * path. A reference that names the customer's message (`activityId`) is replied to (`POST
 * /v3/conversations/{id}/activities/{activityId}`); one without (a welcome) starts a new message in the conversation.
 * The agents' channel also updates the messages it sent (its ticket cards): `PUT /v3/conversations/{id}/activities/{id}`.
 * So does a customer's button press ({@link TeamsSender.pressed}): the bot's message keeps its text and its buttons
 * become what was chosen. The texts of recent messages with buttons are remembered for that (Teams sends no copy of
 * the card with a press; the last {@link MAX_REMEMBERED}, in this process).
 */
import type { Activity, CloudAdapter, ConversationReference, TurnContext } from 'botbuilder';
import type { ChannelSender, OutgoingMessage } from '../../channel-sender.ts';
import { SwitchboardError } from '../../errors.ts';
import { pressedCard, replyToTeams } from './reply-to-teams.ts';

/** Messages with buttons whose text is remembered, to update them when pressed (the oldest forgotten first). */
export const MAX_REMEMBERED = 10_000;

export class TeamsSender implements ChannelSender {
  readonly channel = 'teams' as const;

  /** `appId`: the bot's `MicrosoftAppId` ('' when authentication is off). */
  constructor(
    private readonly adapter: CloudAdapter,
    private readonly appId: string,
  ) {}

  /** Sent messages with buttons: their id → what the update of a press keeps (text, locale). */
  private readonly withButtons = new Map<string, Pick<Activity, 'text' | 'locale'>>();

  /** {@inheritDoc ChannelSender.send} */
  async send(address: unknown, message: OutgoingMessage): Promise<void> {
    const activity = replyToTeams(message);
    const id = await this.post(address, activity);
    if (id && activity.attachments?.length) {
      if (this.withButtons.size >= MAX_REMEMBERED) this.withButtons.delete(this.withButtons.keys().next().value ?? '');
      this.withButtons.set(id, { text: activity.text ?? '', locale: activity.locale ?? '' });
    }
  }

  /**
   * A customer pressed a button of the bot's message `activityId`: the message is updated to its text with `note` in
   * place of its buttons, so the same card cannot be answered again from the screen. False when this process does not
   * know the message (sent before a restart, or by another instance): it is left as it is (a second press is still
   * answered once: the turn id is the card's).
   */
  async pressed(address: unknown, activityId: string, note: string): Promise<boolean> {
    const sent = this.withButtons.get(activityId);
    if (!sent) return false;
    await this.update(address, activityId, {
      type: 'message',
      text: sent.text,
      ...(sent.locale ? { locale: sent.locale } : {}),
      attachments: [pressedCard(note)],
    });
    return true;
  }

  /**
   * Sends one activity into the conversation at `address` (a ConversationReference) and returns the id the Connector
   * gave it. `activity` may be built from the proactive turn's context (e.g. botbuilder's `EventFactory`).
   */
  async post(
    address: unknown,
    activity: Partial<Activity> | ((context: TurnContext) => Partial<Activity>),
  ): Promise<string | undefined> {
    const reference = asReference(address);
    const replyToId = reference.activityId;
    let id: string | undefined;
    try {
      await this.adapter.continueConversationAsync(this.appId, reference, async (context) => {
        // botbuilder would make the reply refer to its own continuation event; refer to the customer's message instead.
        context.onSendActivities(async (_ctx, activities, next) => {
          for (const a of activities) {
            if (replyToId) a.replyToId = replyToId;
            else delete a.replyToId;
          }
          return next();
        });
        const response = await context.sendActivity(typeof activity === 'function' ? activity(context) : activity);
        id = response?.id;
      });
    } catch (e) {
      throw sendError(e);
    }
    return id;
  }

  /** Replaces the activity `activityId` the bot sent into the conversation at `address` (a card whose state changed). */
  async update(address: unknown, activityId: string, activity: Partial<Activity>): Promise<void> {
    const { activityId: _, ...reference } = asReference(address);
    try {
      await this.adapter.continueConversationAsync(this.appId, reference, async (context) => {
        context.onUpdateActivity(async (_ctx, updated, next) => {
          delete updated.replyToId;
          return next();
        });
        await context.updateActivity({ ...activity, id: activityId });
      });
    } catch (e) {
      throw sendError(e);
    }
  }
}

/** The address as a ConversationReference, or `E_TEAMS_ADDRESS` when it cannot be one. */
function asReference(address: unknown): Partial<ConversationReference> & Pick<ConversationReference, 'conversation'> {
  const r = address as Partial<ConversationReference> | undefined;
  if (
    typeof r !== 'object' ||
    r === null ||
    typeof r.serviceUrl !== 'string' ||
    typeof r.conversation?.id !== 'string' ||
    typeof r.bot?.id !== 'string'
  ) {
    throw new SwitchboardError('E_TEAMS_ADDRESS', 'input', 'not a Teams ConversationReference');
  }
  return r as Partial<ConversationReference> & Pick<ConversationReference, 'conversation'>;
}

/** The Connector refused (an HTTP status) → `remote`; no answer at all → `transport`. */
function sendError(e: unknown): SwitchboardError {
  if (e instanceof SwitchboardError) return e;
  const status = (e as { statusCode?: unknown })?.statusCode;
  const message = (e as Error)?.message ?? String(e);
  return typeof status === 'number'
    ? new SwitchboardError('E_TEAMS_SEND', 'remote', `Bot Framework Connector answered ${status}`, { cause: e })
    : new SwitchboardError('E_TEAMS_SEND', 'transport', `Bot Framework Connector: ${message}`, { cause: e });
}
