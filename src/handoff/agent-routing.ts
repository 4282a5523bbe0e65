/**
 * Which agents a ticket goes to: those who speak the customer's language and have the intent's skill; if none, those
 * with the language; if none, every agent. Skills are intent names or groups with `*` (`alarm_*`, `*`).
 */
import type { BotConfig } from '../config/bot-config.ts';

export type AgentProfile = BotConfig['agents'][number];

/** True when `skill` (an intent name or a `*` pattern) covers `intent`. */
export function skillCovers(skill: string, intent: string | undefined): boolean {
  if (skill === '*') return true;
  if (!intent) return false;
  if (!skill.includes('*')) return skill === intent;
  const re = new RegExp(
    `^${skill
      .split('*')
      .map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
  );
  return re.test(intent);
}

/** The agents a ticket in `language` about `intent` goes to (see the module doc); [] when no agents are configured. */
export function eligibleAgents(agents: readonly AgentProfile[], language: string, intent?: string): AgentProfile[] {
  const speaks = agents.filter((a) => a.languages.length === 0 || a.languages.includes(language));
  const skilled = speaks.filter((a) => a.skills.some((s) => skillCovers(s, intent)));
  if (skilled.length > 0) return skilled;
  if (speaks.length > 0) return speaks;
  return [...agents];
}
