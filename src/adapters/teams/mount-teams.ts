/** PLACEHOLDER (being written): mounts the Teams adapter on the server. */
import type { ChannelContext, ChannelMount } from '../channel-mount.ts';

export async function mountTeams(_context: ChannelContext): Promise<ChannelMount | undefined> {
  return undefined;
}
