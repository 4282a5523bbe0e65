import { describe, expect, it } from 'vitest';
import { normalizeSlackApiUrl } from '../../../../src/adapters/slack/mount-slack.ts';
import { type SlackChatClient, SlackSender } from '../../../../src/adapters/slack/slack-sender.ts';
import { isSwitchboardError } from '../../../../src/errors.ts';

function fakeClient(fail?: unknown) {
  const posted: Record<string, unknown>[] = [];
  const client: SlackChatClient = {
    chat: {
      postMessage: async (args) => {
        if (fail) throw fail;
        posted.push(args as unknown as Record<string, unknown>);
        return { ok: true };
      },
      update: async (args) => {
        posted.push({ update: true, ...(args as unknown as Record<string, unknown>) });
        return { ok: true };
      },
    },
  };
  return { client, posted };
}

describe('SlackSender', () => {
  it('posts the reply in the thread of the address, with blocks and a text fallback', async () => {
    const { client, posted } = fakeClient();
    await new SlackSender(client).send(
      { channel: 'D1', thread_ts: '1712.0001' },
      { reply: { text: 'Hello!', language: 'en' }, turn: 'slack:Ev1', feedback: true },
    );
    expect(posted[0]).toMatchObject({ channel: 'D1', thread_ts: '1712.0001', text: 'Hello!', unfurl_links: false });
    expect((posted[0].blocks as unknown[]).length).toBe(2);
  });

  it('turns Web API failures into SwitchboardErrors: Slack refused → remote, no answer → transport', async () => {
    const platform = Object.assign(new Error('An API error occurred: channel_not_found'), {
      code: 'slack_webapi_platform_error',
      data: { ok: false, error: 'channel_not_found' },
    });
    const transport = Object.assign(new Error('A request error occurred: ECONNREFUSED'), {
      code: 'slack_webapi_request_error',
    });
    const msg = { reply: { text: 'x', language: 'en' }, turn: 't', feedback: false };
    const e1 = await new SlackSender(fakeClient(platform).client).send({ channel: 'D1' }, msg).catch((e) => e);
    expect(isSwitchboardError(e1, 'E_SLACK_API') && e1.kind === 'remote').toBe(true);
    expect(e1.message).toBe('chat.postMessage: channel_not_found');
    const e2 = await new SlackSender(fakeClient(transport).client).send({ channel: 'D1' }, msg).catch((e) => e);
    expect(isSwitchboardError(e2, 'E_SLACK_TRANSPORT') && e2.kind === 'transport').toBe(true);
    const e3 = await new SlackSender(fakeClient().client).send({ teams: 'x' }, msg).catch((e) => e);
    expect(isSwitchboardError(e3, 'E_SLACK_ADDRESS')).toBe(true);
  });
});

describe('normalizeSlackApiUrl', () => {
  it('makes the Web API base end in /api/', () => {
    expect(normalizeSlackApiUrl(undefined)).toBe('https://slack.com/api/');
    expect(normalizeSlackApiUrl('http://127.0.0.1:9000')).toBe('http://127.0.0.1:9000/api/');
    expect(normalizeSlackApiUrl('http://127.0.0.1:9000/')).toBe('http://127.0.0.1:9000/api/');
    expect(normalizeSlackApiUrl('https://slack.example.com/api')).toBe('https://slack.example.com/api/');
    expect(normalizeSlackApiUrl('https://slack.example.com/api/')).toBe('https://slack.example.com/api/');
  });
});
