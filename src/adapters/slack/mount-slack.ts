/** PLACEHOLDER (being written): mounts the Slack adapter on the server. */
import type { ChannelContext, ChannelMount } from '../channel-mount.ts';

export async function mountSlack(_context: ChannelContext): Promise<ChannelMount | undefined> {
  return undefined;
}
