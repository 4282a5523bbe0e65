import { describe, expect, it } from 'vitest';
import { SlackTicketCards } from '../../../src/adapters/slack/slack-ticket-cards.ts';
import { TeamsTicketCards } from '../../../src/adapters/teams/teams-ticket-cards.ts';
import { AgentIdentity } from '../../../src/handoff/agent-identity.ts';

/** The HandoffService's name directory, in memory. */
function directory(configured: Record<string, string>) {
  const learnt = new Map<string, string>();
  return {
    learnt,
    agentName: (a: string) => configured[a] ?? learnt.get(a) ?? a,
    learnAgentName: (a: string, name: string) => void learnt.set(a, name),
  };
}

describe('AgentIdentity', () => {
  it('Slack: maps configured users to their agent ids, others to slack:<id>; an unmapped agent is a mention', () => {
    const agents = [{ id: 'ann', name: 'Ann', languages: [], skills: ['*'], slack_user: 'U0ANN' }];
    const names = directory({ ann: 'Ann' });
    const port = new SlackTicketCards('C0AGENTS', {} as never);
    const identity = new AgentIdentity(agents, names, port);
    expect(identity.agentOf({ ids: ['U0ANN'] })).toBe('ann');
    expect(identity.agentOf({ ids: ['U0SAM'], name: ' sam.newcomer ' })).toBe('slack:U0SAM');
    expect(identity.nameOf('slack:U0SAM')).toBe('sam.newcomer');
    expect(identity.nameOf('slack:U0NEW')).toBe('slack:U0NEW');
    const markup = (a: string) => port.markupName(a, identity.nameOf(a), identity.isConfigured(a));
    expect(markup('ann')).toBe('Ann');
    expect(markup('slack:U0SAM')).toBe('<@U0SAM>');
    expect(markup('teams:<aad>')).toBe('teams:&lt;aad&gt;');
  });

  it('Teams: maps teams_user (aadObjectId or Teams id) to the agent; others get a stable id and their Teams name', () => {
    const agents = [
      { id: 'ann', name: 'Ann', languages: [], skills: ['*'], teams_user: 'aad-ann' },
      { id: 'luis', languages: [], skills: ['*'], teams_user: '29:luis' },
    ];
    const port = new TeamsTicketCards({} as never, {} as never, {} as never);
    const identity = new AgentIdentity(agents, directory({ ann: 'Ann' }), port);
    expect(identity.agentOf({ ids: ['aad-ann', '29:whatever'], name: 'Ann A.' })).toBe('ann');
    expect(identity.agentOf({ ids: ['', '29:luis'], name: 'Luis' })).toBe('luis');
    expect(identity.agentOf({ ids: ['aad-sam', '29:sam'], name: 'Sam' })).toBe('teams:aad-sam');
    expect(identity.agentOf({ ids: ['', '29:kim'], name: '' })).toBe('teams:29:kim');
    expect(identity.nameOf('ann')).toBe('Ann');
    expect(identity.nameOf('teams:aad-sam')).toBe('Sam');
    expect(identity.nameOf('teams:29:kim')).toBe('teams:29:kim');
  });
});
