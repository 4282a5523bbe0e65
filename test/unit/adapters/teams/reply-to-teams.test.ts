import { describe, expect, it } from 'vitest';
import {
  ADAPTIVE_CARD_CONTENT_TYPE,
  replyToTeams,
  type SubmitAction,
  teamsText,
  textActivity,
} from '../../../../src/adapters/teams/reply-to-teams.ts';
import { parseSubmit } from '../../../../src/adapters/teams/teams-to-turn.ts';

const actionsOf = (activity: ReturnType<typeof replyToTeams>): SubmitAction[] => {
  const card = activity.attachments?.[0];
  expect(card?.contentType).toBe(ADAPTIVE_CARD_CONTENT_TYPE);
  expect(card?.content).toMatchObject({ type: 'AdaptiveCard', version: '1.4', body: [] });
  return (card?.content as { actions?: SubmitAction[] } | undefined)?.actions ?? [];
};

describe('replyToTeams', () => {
  it('sends a plain reply as text only', () => {
    const a = replyToTeams({
      reply: { text: "I'm passing you to a colleague.", language: 'en', handoff: true },
      turn: 'teams:1',
      feedback: false,
    });
    expect(a).toEqual({ type: 'message', text: "I'm passing you to a colleague.", locale: 'en' });
  });

  it('puts 👍/👎 under an automated answer, carrying the answered turn', () => {
    const a = replyToTeams({
      reply: { text: 'Alarms are set in the app.', language: 'en' },
      turn: 'teams:1712311200123',
      feedback: true,
    });
    expect(a.text).toBe('Alarms are set in the app.');
    expect(actionsOf(a)).toEqual([
      {
        type: 'Action.Submit',
        title: '👍',
        data: { switchboard: 'feedback', rating: 'up', turn: 'teams:1712311200123' },
      },
      {
        type: 'Action.Submit',
        title: '👎',
        data: { switchboard: 'feedback', rating: 'down', turn: 'teams:1712311200123' },
      },
    ]);
  });

  it('offers the clarify choices as buttons, in order', () => {
    const a = replyToTeams({
      reply: {
        text: 'Para estar seguro: ¿cuál de estas opciones quieres decir?',
        language: 'es',
        quick_replies: [
          { intent: 'alarm_set', label: 'Poner una alarma' },
          { intent: 'alarm_query', label: 'Ver mis alarmas' },
        ],
      },
      turn: 'teams:2',
      feedback: false,
    });
    expect(a.locale).toBe('es');
    expect(actionsOf(a).map((x) => [x.title, x.data])).toEqual([
      ['Poner una alarma', { switchboard: 'choice', intent: 'alarm_set', label: 'Poner una alarma' }],
      ['Ver mis alarmas', { switchboard: 'choice', intent: 'alarm_query', label: 'Ver mis alarmas' }],
    ]);
  });

  it('offers a person after 👎, labelled in the reply’s language', () => {
    const a = replyToTeams({
      reply: { text: 'Lo siento.', language: 'es' },
      turn: 'teams:3',
      feedback: false,
      offerHuman: true,
    });
    expect(actionsOf(a)).toEqual([
      {
        type: 'Action.Submit',
        title: 'Hablar con una persona',
        data: { switchboard: 'human', label: 'Hablar con una persona' },
      },
    ]);
  });

  it('produces button data that the inbound mapper reads back as the same action', () => {
    const a = replyToTeams({
      reply: { text: '?', language: 'en', quick_replies: [{ intent: 'weather_query', label: 'Weather' }] },
      turn: 'teams:4',
      feedback: true,
      offerHuman: true,
    });
    expect(actionsOf(a).map((x) => parseSubmit(JSON.parse(JSON.stringify(x.data))))).toEqual([
      { kind: 'choice', intent: 'weather_query' },
      { kind: 'feedback', rating: 'up', turn: 'teams:4' },
      { kind: 'feedback', rating: 'down', turn: 'teams:4' },
      { kind: 'human' },
    ]);
  });
});

describe('teamsText / textActivity', () => {
  it('picks the language of a locale, English otherwise', () => {
    expect(teamsText('text_only', 'fr-CA')).toMatch(/messages texte/);
    expect(teamsText('text_only', 'pt-BR')).toMatch(/only read text/);
    expect(teamsText('welcome', 'es-ES')).toMatch(/^Hi!/);
    expect(teamsText('talk_to_person', undefined)).toBe('Talk to a person');
  });

  it('builds a text message', () => {
    expect(textActivity('Hola', 'es')).toEqual({ type: 'message', text: 'Hola', locale: 'es' });
    expect(textActivity('Hi')).toEqual({ type: 'message', text: 'Hi' });
  });
});
