import { describe, expect, it } from 'vitest';
import { type AgentProfile, eligibleAgents, skillCovers } from '../../../src/handoff/agent-routing.ts';

const agent = (id: string, languages: string[], skills: string[]): AgentProfile => ({ id, languages, skills });

describe('agent routing', () => {
  it('skills are intent names or * groups', () => {
    expect(skillCovers('*', undefined)).toBe(true);
    expect(skillCovers('alarm_set', 'alarm_set')).toBe(true);
    expect(skillCovers('alarm_set', 'alarm_query')).toBe(false);
    expect(skillCovers('alarm_*', 'alarm_query')).toBe(true);
    expect(skillCovers('alarm_*', 'weather_query')).toBe(false);
    expect(skillCovers('a.b*', 'axb')).toBe(false); // dots are literal
  });

  it('language and skill first, then language, then anyone', () => {
    const agents = [
      agent('ana', ['es'], ['alarm_*']),
      agent('ben', ['en'], ['*']),
      agent('eva', ['es', 'en'], ['weather_query']),
    ];
    expect(eligibleAgents(agents, 'es', 'alarm_set').map((a) => a.id)).toEqual(['ana']);
    expect(eligibleAgents(agents, 'es', 'takeaway_query').map((a) => a.id)).toEqual(['ana', 'eva']);
    expect(eligibleAgents(agents, 'en', 'weather_query').map((a) => a.id)).toEqual(['ben', 'eva']);
    expect(eligibleAgents(agents, 'th', 'alarm_set').map((a) => a.id)).toEqual(['ana', 'ben', 'eva']);
    expect(eligibleAgents([], 'en')).toEqual([]);
  });
});
