/**
 * Who a Teams user in the agents' channel is, as an agent: the bot config's agent whose `teams_user` is their
 * Microsoft Entra object id (`aadObjectId`) or Teams user id (`29:…`), else `teams:<aadObjectId or id>` — stable across
 * name changes. The Teams display names of unmapped agents are remembered (this process) for the cards and threads.
 */
import type { ChannelAccount } from 'botbuilder';
import type { AgentProfile } from '../../handoff/agent-routing.ts';

/** Longest id or name taken from an activity. */
const MAX_FIELD = 128;

export class TeamsAgentIdentity {
  private readonly names = new Map<string, string>();

  /** `agentName`: the handoff's display name of a configured agent (its config `name`, else its id). */
  constructor(
    private readonly agents: readonly AgentProfile[],
    private readonly agentName: (agent: string) => string,
    /** Told the channel's name of an unmapped agent (the handoff uses it in what customers read). */
    private readonly learn: (agent: string, name: string) => void = () => {},
  ) {}

  /**
   * The agent id of the user who pressed or wrote.
   *
   * @example identity.agentOf({ id: '29:x', aadObjectId: 'aad-ann', name: 'Ann A.' }) // 'ann' (teams_user: aad-ann)
   */
  agentOf(from: Pick<ChannelAccount, 'id' | 'name' | 'aadObjectId'>): string {
    const aad =
      typeof from.aadObjectId === 'string' && from.aadObjectId ? from.aadObjectId.slice(0, MAX_FIELD) : undefined;
    const id = from.id.slice(0, MAX_FIELD);
    const profile = this.agents.find((a) => a.teams_user && (a.teams_user === aad || a.teams_user === id));
    if (profile) return profile.id;
    const agent = `teams:${aad ?? id}`;
    const name = typeof from.name === 'string' ? from.name.trim().slice(0, MAX_FIELD) : '';
    if (name) {
      this.names.set(agent, name);
      this.learn(agent, name);
    }
    return agent;
  }

  /** The name to show in Teams for an agent id. */
  nameOf(agent: string): string {
    if (this.agents.some((a) => a.id === agent)) return this.agentName(agent);
    return this.names.get(agent) ?? this.agentName(agent);
  }
}
