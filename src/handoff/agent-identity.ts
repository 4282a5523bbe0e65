/**
 * Who a chat user in an agents' channel is, as an agent: the bot config's agent whose platform field (`slack_user`,
 * `teams_user`) holds one of the user's platform ids, else `<platform>:<stable id>` — stable across name changes. The
 * platform's display name of an unmapped agent is handed to the HandoffService (its one cache of learnt names), which
 * uses it in what customers read and in the cards.
 */
import type { AgentProfile } from './agent-routing.ts';

/** A user as an agents' channel names them: its ids (the stable one first) and display name, both untrusted. */
export interface AgentRef {
  /** The user's platform ids, most stable first (Teams: the Entra object id, then the Teams id). */
  ids: readonly string[];
  name?: string;
}

/** How one platform names its agents. */
export interface AgentPlatform {
  /** `slack`, `teams`: the prefix of unmapped agents' ids. */
  prefix: string;
  /** The profile's id on this platform (`slack_user`, `teams_user`), when it has one. */
  userOf(profile: AgentProfile): string | undefined;
  /** Longest id or name taken from a payload. */
  maxField: number;
}

export interface AgentDirectory {
  /** The agent's display name: the config's, else the one its channel reported, else the id. */
  agentName(agent: string): string;
  learnAgentName(agent: string, name: string): void;
}

export class AgentIdentity {
  constructor(
    private readonly agents: readonly AgentProfile[],
    private readonly directory: AgentDirectory,
    private readonly platform: AgentPlatform,
  ) {}

  /**
   * The agent id of the user who pressed or wrote.
   *
   * @example identity.agentOf({ ids: ['U0ANN'] }) // 'ann' (slack_user: U0ANN); { ids: ['U0SAM'] } → 'slack:U0SAM'
   */
  agentOf(user: AgentRef): string {
    const ids = user.ids.filter((id) => typeof id === 'string' && id).map((id) => id.slice(0, this.platform.maxField));
    const profile = this.agents.find((a) => {
      const id = this.platform.userOf(a);
      return id !== undefined && ids.includes(id);
    });
    if (profile) return profile.id;
    const agent = `${this.platform.prefix}:${ids[0] ?? 'unknown'}`;
    const name = typeof user.name === 'string' ? user.name.replace(/\s+/g, ' ').trim() : '';
    if (name) this.directory.learnAgentName(agent, name.slice(0, this.platform.maxField));
    return agent;
  }

  /** The agent's name as plain text. */
  nameOf(agent: string): string {
    return this.directory.agentName(agent);
  }

  /** True when the bot config lists the agent. */
  isConfigured(agent: string): boolean {
    return this.agents.some((a) => a.id === agent);
  }
}
