/**
 * Issue 15: the agents' channel's cards and thread lines went through a client that retried a chat.postMessage
 * blindly, so a Slack that carried a post out but answered late got the card (or the line) twice. They now post like
 * customer replies: keyed, looked up before any second attempt.
 */
import { webApi } from '@slack/bolt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KeyedPoster, REPLY_RETRIES } from '../../../../src/adapters/slack/slack-sender.ts';
import { SlackTicketCards } from '../../../../src/adapters/slack/slack-ticket-cards.ts';
import type { Ticket } from '../../../../src/handoff/ticket.ts';
import { FakeSlackApi } from '../../../fixtures/fake-slack-api.ts';

let slack: FakeSlackApi;
beforeAll(async () => {
  slack = await FakeSlackApi.start();
});
afterAll(async () => slack.close());

/** The answer comes this much later than the client waits: the client always gives up first. */
const TIMEOUT_MS = 200;
const LATE_MS = 1500;
const ticket: Ticket = {
  id: 't_slowcard',
  status: 'queued',
  conversation: 'slack:T1:D1',
  channel: 'slack',
  customer: 'U0CUSTOMER',
  language: 'en',
  reason: 'out_of_scope',
  intents: [],
  entities: [],
  created_at: 1,
  surfaces: {},
  transcript: [{ seq: 1, at: 1, from: 'customer', text: 'my bill is wrong' }],
};
const view = { ticket, agents: [], agentName: (a: string) => a, agentPlainName: (a: string) => a };
const posts = (channel: string) => slack.delivered('chat.postMessage').filter((c) => c.args.channel === channel);

function cards(channel: string, retryConfig: object): SlackTicketCards {
  const client = new webApi.WebClient('xoxb-test', { slackApiUrl: slack.url, retryConfig, timeout: TIMEOUT_MS });
  return new SlackTicketCards(channel, client, new KeyedPoster(client, 10));
}

describe('SlackTicketCards when Slack answers after the timeout', () => {
  it('a card Slack posted late is not posted again, and its ts is the one Slack gave it', async () => {
    slack.delayNext('chat.postMessage', LATE_MS);
    const card = await cards('C0SLOWCARD', REPLY_RETRIES).postCard(view);
    const posted = posts('C0SLOWCARD');
    expect(posted).toHaveLength(1);
    expect(card).toEqual({ channel: 'C0SLOWCARD', ts: expect.stringMatching(/^\d+\.\d{6}$/) });
    const history = slack.calls.filter((c) => c.method === 'conversations.history' && c.args.channel === 'C0SLOWCARD');
    expect(history.length).toBeGreaterThan(0);
  });

  it('a transcript line in the card thread is posted once, looked up in the thread', async () => {
    const port = cards('C0SLOWLINE', REPLY_RETRIES);
    const card = await port.postCard(view);
    slack.delayNext('chat.postMessage', LATE_MS);
    await port.line(card, 'Customer', 'a second line');
    const inThread = posts('C0SLOWLINE').filter((c) => c.args.thread_ts === card.ts);
    expect(inThread).toHaveLength(1);
    expect(slack.calls.some((c) => c.method === 'conversations.replies' && c.args.ts === card.ts)).toBe(true);
  });

  it('the fault reproduced: with blind retries the same slow answer posts the card twice', async () => {
    slack.delayNext('chat.postMessage', LATE_MS);
    await cards('C0BLINDCARD', { retries: 2, minTimeout: 10 }).postCard(view);
    expect(posts('C0BLINDCARD')).toHaveLength(2);
  });
});
