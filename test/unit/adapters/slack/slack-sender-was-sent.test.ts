import { webApi } from '@slack/bolt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SlackSender } from '../../../../src/adapters/slack/slack-sender.ts';
import { FakeSlackApi } from '../../../fixtures/fake-slack-api.ts';

let slack: FakeSlackApi;
let sender: SlackSender;
beforeAll(async () => {
  slack = await FakeSlackApi.start();
  sender = new SlackSender(new webApi.WebClient('xoxb-test', { slackApiUrl: slack.url, retryConfig: { retries: 0 } }));
});
afterAll(async () => slack.close());

const message = (turn: string) => ({ reply: { text: 'Your alarm is set.', language: 'en' }, turn, feedback: true });

describe('SlackSender.wasSent (a crash between the send and its record)', () => {
  it('finds a message it sent by its key (message metadata), in a thread and in a DM', async () => {
    const since = Date.now();
    await sender.send({ channel: 'D0SENT', thread_ts: '1700000000.000100' }, message('slack:Ev1'));
    await sender.send({ channel: 'D0DIRECT' }, message('slack:Ev2'));
    const [post] = slack.delivered('chat.postMessage').filter((c) => c.args.channel === 'D0SENT');
    expect(post.args.metadata).toEqual({ event_type: 'switchboard_message', event_payload: { key: 'slack:Ev1' } });
    expect(
      await sender.wasSent({ channel: 'D0SENT', thread_ts: '1700000000.000100' }, message('slack:Ev1'), since),
    ).toBe(true);
    expect(await sender.wasSent({ channel: 'D0DIRECT' }, message('slack:Ev2'), since)).toBe(true);
  });

  it('does not find what it never sent, another thread, or what Slack will not show (then it sends again)', async () => {
    const since = Date.now();
    await sender.send({ channel: 'D0OTHER', thread_ts: '1700000000.000200' }, message('slack:Ev3'));
    expect(
      await sender.wasSent({ channel: 'D0OTHER', thread_ts: '1700000000.000200' }, message('slack:Ev4'), since),
    ).toBe(false);
    expect(
      await sender.wasSent({ channel: 'D0OTHER', thread_ts: '1700000000.000999' }, message('slack:Ev3'), since),
    ).toBe(false);
    slack.failNext('conversations.replies', 'missing_scope');
    expect(
      await sender.wasSent({ channel: 'D0OTHER', thread_ts: '1700000000.000200' }, message('slack:Ev3'), since),
    ).toBe(false);
  });
});
