/**
 * Customers' lines relayed into a Slack card's thread, against a fake Slack Web API that refuses over-long messages as
 * Slack does (`msg_blocks_too_long`): a long line goes as numbered parts within Slack's limits, nothing is lost, and a
 * part Slack still refuses is sent again as plain text.
 */
import { webApi } from '@slack/bolt';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { LINE_PART, MAX_LINE_PARTS, SlackTicketCards } from '../../../../src/adapters/slack/slack-ticket-cards.ts';
import { transcriptLine } from '../../../../src/adapters/slack/ticket-blocks.ts';
import { FakeSlackApi, messageRefusal } from '../../../fixtures/fake-slack-api.ts';

const AGENTS = 'C0AGENTS';
const card = { channel: AGENTS, ts: '1712000000.000100' };
let slack: FakeSlackApi;
let cards: SlackTicketCards;

beforeAll(async () => {
  slack = await FakeSlackApi.start();
  const client = new webApi.WebClient('xoxb-test', { slackApiUrl: slack.url, retryConfig: { retries: 0 } });
  cards = new SlackTicketCards(AGENTS, client);
});
afterAll(() => slack.close());
beforeEach(() => slack.reset());

/** The words of a relayed part as the agents read them (its rich_text), without the speaker. */
const words = (args: Record<string, unknown>) =>
  // biome-ignore lint/suspicious/noExplicitAny: Block Kit JSON
  (args.blocks as any)[0].elements[0].elements[1].text as string;
const speakers = () =>
  // biome-ignore lint/suspicious/noExplicitAny: Block Kit JSON
  slack.delivered().map((c) => (c.args.blocks as any)[0].elements[0].elements[0].text as string);

describe('Slack agents’ thread: long customer lines', () => {
  it('the fake refuses what Slack refused: one 29,999-character rich_text line', () => {
    expect(messageRefusal({ ...transcriptLine('Ada Teams', 'x'.repeat(29_999)) })).toBe('msg_blocks_too_long');
    expect(messageRefusal({ ...transcriptLine('Ada Teams', 'x'.repeat(LINE_PART)) })).toBeUndefined();
  });

  it('a 30,000-character line (a Teams message) arrives whole, in numbered parts Slack accepts', async () => {
    const text = Array.from({ length: 6001 }, (_, i) => `w${i % 10}rd`)
      .join(' ')
      .slice(0, 30_000);
    await cards.line(card, 'Ada Teams', text);
    const posted = slack.calls.filter((c) => c.method === 'chat.postMessage');
    expect(posted.every((c) => c.status === 200 && c.response?.ok === true)).toBe(true);
    expect(text).toHaveLength(30_000);
    expect(posted.length).toBeGreaterThanOrEqual(10);
    expect(posted.length).toBeLessThanOrEqual(11);
    expect(posted.every((c) => c.args.thread_ts === card.ts && c.args.channel === AGENTS)).toBe(true);
    expect(speakers()).toEqual(posted.map((_, i) => `Ada Teams (${i + 1}/${posted.length}): `));
    expect(posted.map((c) => words(c.args)).join('')).toBe(text);
  });

  it('beyond 14 parts (about 40,000 characters) the rest is cut, and the last part says how many characters were left out', async () => {
    const text = 'y'.repeat(LINE_PART * MAX_LINE_PARTS + 1234);
    await cards.line(card, 'Customer', text);
    const posted = slack.delivered();
    expect(posted).toHaveLength(MAX_LINE_PARTS);
    const last = words(posted[MAX_LINE_PARTS - 1].args);
    const more = Number(/… \(truncated, (\d+) more characters\)$/.exec(last)?.[1]);
    const shown = posted
      .map((c) => words(c.args))
      .join('')
      .replace(/… \(truncated.*$/, '').length;
    expect(shown + more).toBe(text.length);
  });

  it('a short line is one message, as before', async () => {
    await cards.line(card, 'Customer', 'order 4711 never arrived');
    expect(slack.delivered().map((c) => c.args.text)).toEqual(['Customer: order 4711 never arrived']);
  });

  it('a part Slack still refuses is sent again as plain text (escaped, marked), never dropped', async () => {
    slack.failNext('chat.postMessage', 'msg_blocks_too_long');
    await cards.line(card, 'Customer', 'see <!channel> & *this*');
    const [refused, plain] = slack.calls;
    expect(refused.response).toMatchObject({ ok: false, error: 'msg_blocks_too_long' });
    expect(plain.status).toBe(200);
    expect(plain.args.blocks).toBeUndefined();
    expect(plain.args).toMatchObject({
      channel: AGENTS,
      thread_ts: card.ts,
      text: '*Customer:* see &lt;!channel&gt; &amp; *this*',
    });
  });

  it('other refusals still fail the line (the desk logs them)', async () => {
    slack.failNext('chat.postMessage', 'channel_not_found');
    await expect(cards.line(card, 'Customer', 'hi')).rejects.toMatchObject({ code: 'E_SLACK_API' });
  });
});
