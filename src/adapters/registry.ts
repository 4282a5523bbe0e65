/**
 * The channels the server can mount, in mount order. Adding a channel is a folder under adapters/ exporting a
 * {@link ChannelPlugin} and one line here; nothing else in the core changes.
 */
import type { ChannelPlugin } from './channel-mount.ts';
import { slackChannel } from './slack/mount-slack.ts';
import { teamsChannel } from './teams/mount-teams.ts';
import { webChannel } from './web/web-chat.ts';
import { webhookChannel } from './webhook/mount-webhook.ts';

export const CHANNELS: readonly ChannelPlugin[] = [webChannel, slackChannel, teamsChannel, webhookChannel];
