/**
 * Who a Slack user in the agents' channel is, as an agent: the bot config's agent whose `slack_user` is their Slack
 * user id (`U…`/`W…`), else `slack:<user id>` — stable across name changes. The Slack names of unmapped agents seen in
 * button payloads are remembered (this process) for literal text; in mrkdwn they are shown as `<@U…>` mentions, which
 * Slack renders as their current name.
 */
import type { AgentProfile } from '../../handoff/agent-routing.ts';
import { escapeMrkdwn } from './reply-to-slack.ts';

/** Longest name taken from a payload. */
const MAX_NAME = 80;
const UNMAPPED = /^slack:([A-Z0-9]{2,64})$/;

export class SlackAgentIdentity {
  private readonly names = new Map<string, string>();

  /** `agentName`: the handoff's display name of an agent (its config `name`, else its id). */
  constructor(
    private readonly agents: readonly AgentProfile[],
    private readonly agentName: (agent: string) => string,
    /** Told the channel's name of an unmapped agent (the handoff uses it in what customers read). */
    private readonly learn: (agent: string, name: string) => void = () => {},
  ) {}

  /**
   * The agent id of the Slack user who pressed or wrote (`name`: their Slack name, when the payload carries it).
   *
   * @example identity.agentOf('U0ANN') // 'ann' (slack_user: U0ANN); identity.agentOf('U0SAM') // 'slack:U0SAM'
   */
  agentOf(user: string, name?: string): string {
    const profile = this.agents.find((a) => a.slack_user === user);
    if (profile) return profile.id;
    const agent = `slack:${user}`;
    const clean = typeof name === 'string' ? name.replace(/\s+/g, ' ').trim().slice(0, MAX_NAME) : '';
    if (clean) {
      this.names.set(agent, clean);
      this.learn(agent, clean);
    }
    return agent;
  }

  /** The agent as mrkdwn: a configured agent's name (escaped), an unmapped Slack agent as a mention. */
  nameOf(agent: string): string {
    if (this.isConfigured(agent)) return escapeMrkdwn(this.agentName(agent));
    const user = UNMAPPED.exec(agent)?.[1];
    return user ? `<@${user}>` : escapeMrkdwn(this.agentName(agent));
  }

  /** The agent as plain text: a configured agent's name, an unmapped one's Slack name when seen, else the id. */
  plainNameOf(agent: string): string {
    if (this.isConfigured(agent)) return this.agentName(agent);
    return this.names.get(agent) ?? this.agentName(agent);
  }

  private isConfigured(agent: string): boolean {
    return this.agents.some((a) => a.id === agent);
  }
}
