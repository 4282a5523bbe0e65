import { describe, expect, it } from 'vitest';
import {
  decodeFeedback,
  encodeFeedback,
  escapeMrkdwn,
  markClicked,
  replyToSlack,
} from '../../../../src/adapters/slack/reply-to-slack.ts';

type Element = {
  type: string;
  action_id: string;
  value: string;
  text: { text: string };
  style?: string;
  accessibility_label?: string;
};
type Actions = { type: 'actions'; block_id: string; elements: Element[] };

describe('replyToSlack', () => {
  it('an answer: a section with the text and 👍/👎 whose values carry the answered turn', () => {
    const m = replyToSlack({
      reply: { text: 'Alarms are set in the app: Settings → Alarms → New alarm.', language: 'en' },
      turn: 'slack:Ev0PV52K21',
      feedback: true,
    });
    expect(m.text).toBe('Alarms are set in the app: Settings → Alarms → New alarm.');
    expect(m.blocks[0]).toEqual({
      type: 'section',
      block_id: 'switchboard_text',
      text: { type: 'mrkdwn', text: 'Alarms are set in the app: Settings → Alarms → New alarm.' },
    });
    const feedback = m.blocks[1] as Actions;
    expect(feedback.block_id).toBe('switchboard_feedback');
    expect(feedback.elements.map((e) => [e.action_id, e.text.text, e.value])).toEqual([
      ['switchboard_feedback_up', '👍', 'up:slack:Ev0PV52K21'],
      ['switchboard_feedback_down', '👎', 'down:slack:Ev0PV52K21'],
    ]);
    expect(feedback.elements[0].accessibility_label).toBe('This helped');
    expect(m.blocks).toHaveLength(2);
  });

  it('a clarification: one button per choice (unique action ids, value = intent) and the choices in the fallback', () => {
    const m = replyToSlack({
      reply: {
        text: 'Just to be sure — which of these do you mean?',
        language: 'en',
        quick_replies: [
          { intent: 'alarm_set', label: 'Set an alarm' },
          { intent: 'weather_query', label: 'Weather' },
        ],
      },
      turn: 'slack:Ev1',
      feedback: false,
    });
    const choices = m.blocks[1] as Actions;
    expect(choices.block_id).toBe('switchboard_choices');
    expect(choices.elements.map((e) => [e.type, e.action_id, e.text.text, e.value])).toEqual([
      ['button', 'switchboard_choice_0', 'Set an alarm', 'alarm_set'],
      ['button', 'switchboard_choice_1', 'Weather', 'weather_query'],
    ]);
    expect(m.text).toBe('Just to be sure — which of these do you mean? (Set an alarm / Weather)');
    expect(m.blocks).toHaveLength(2);
  });

  it('after 👎: the apology with a "Talk to a person" button, in the reply language', () => {
    const m = replyToSlack({
      reply: { text: 'Lo siento. ¿Quieres hablar con una persona?', language: 'es' },
      turn: 'slack:Ev2',
      feedback: false,
      offerHuman: true,
    });
    const human = m.blocks[1] as Actions;
    expect(human.elements[0]).toMatchObject({
      action_id: 'switchboard_human',
      style: 'primary',
      text: { text: 'Hablar con una persona' },
    });
    const other = replyToSlack({ reply: { text: 'x', language: 'ja' }, turn: 't', feedback: false, offerHuman: true });
    expect((other.blocks[1] as Actions).elements[0].text.text).toBe('Talk to a person');
  });

  it('a handoff: text only', () => {
    const m = replyToSlack({
      reply: { text: "I'm passing you to a colleague.", language: 'en', handoff: true },
      turn: 'slack:Ev3',
      feedback: false,
    });
    expect(m.blocks).toHaveLength(1);
  });

  it("keeps within Block Kit's limits and escapes mrkdwn's reserved characters", () => {
    const m = replyToSlack({
      reply: {
        text: `<b>&${'x'.repeat(5000)}`,
        language: 'en',
        quick_replies: Array.from({ length: 30 }, (_, i) => ({ intent: `i${i}`, label: 'L'.repeat(100) })),
      },
      turn: 't',
      feedback: false,
    });
    const section = m.blocks[0] as { text: { text: string } };
    expect(section.text.text.startsWith('&lt;b&gt;&amp;x')).toBe(true);
    expect(section.text.text.length).toBeLessThanOrEqual(3000);
    const choices = m.blocks[1] as Actions;
    expect(choices.elements).toHaveLength(25);
    expect(choices.elements[0].text.text.length).toBeLessThanOrEqual(75);
    // An empty text never makes an invalid message.
    expect(replyToSlack({ reply: { text: ' ', language: 'en' }, turn: 't', feedback: false }).text).toBe('…');
  });

  it('never cuts an emoji in half', () => {
    const m = replyToSlack({ reply: { text: '😀'.repeat(2000), language: 'en' }, turn: 't', feedback: false });
    const text = (m.blocks[0] as { text: { text: string } }).text.text;
    expect(text.endsWith('…')).toBe(true);
    expect(/[\uD800-\uDBFF]…$/.test(text)).toBe(false);
  });
});

describe('feedback values, clicked buttons', () => {
  it('round-trips a rating and a turn id containing colons', () => {
    expect(decodeFeedback(encodeFeedback('down', 'slack:Ev1:x'))).toEqual({ rating: 'down', turn: 'slack:Ev1:x' });
    for (const bad of [undefined, 7, '', 'up', 'up:', 'meh:slack:Ev1']) expect(decodeFeedback(bad)).toBeUndefined();
  });

  it('replaces only the pressed actions block with a note', () => {
    const blocks = [
      { type: 'section', block_id: 'switchboard_text', text: { type: 'mrkdwn', text: 'hi' } },
      { type: 'actions', block_id: 'switchboard_feedback', elements: [] },
      'junk',
    ];
    expect(markClicked(blocks, 'switchboard_feedback', '👍 <ok>')).toEqual([
      blocks[0],
      { type: 'context', block_id: 'switchboard_feedback', elements: [{ type: 'mrkdwn', text: '👍 &lt;ok&gt;' }] },
      'junk',
    ]);
    expect(escapeMrkdwn('a & b')).toBe('a &amp; b');
  });
});
