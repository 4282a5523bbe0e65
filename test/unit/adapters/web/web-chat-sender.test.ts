import { EventEmitter } from 'node:events';
import type { ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import { WebChatSender } from '../../../../src/adapters/web/web-chat.ts';
import { isSwitchboardError } from '../../../../src/errors.ts';

/** Enough of a ServerResponse for the sender: records what it writes. */
class FakeResponse extends EventEmitter {
  chunks: string[] = [];
  writeHead() {
    return this;
  }
  write(chunk: string) {
    this.chunks.push(chunk);
    return true;
  }
  end() {
    this.emit('close');
  }
  get events() {
    return this.chunks.filter((c) => c.includes('data: ')).map((c) => JSON.parse(c.split('data: ')[1]));
  }
}
const res = () => new FakeResponse() as unknown as ServerResponse & FakeResponse;
const message = (text: string) => ({ reply: { text, language: 'en' }, turn: 'web:1', feedback: true });

describe('WebChatSender', () => {
  it('pushes to every page of the conversation, with feedback and quick replies', async () => {
    const sender = new WebChatSender();
    const a = res();
    const b = res();
    sender.attach('c1', a);
    sender.attach('c1', b);
    await sender.send({ conversation: 'c1' }, message('hello'));
    expect(a.events).toEqual([{ text: 'hello', language: 'en', feedback_turn: 'web:1' }]);
    expect(b.events).toHaveLength(1);
  });

  it('refuses when no page is connected (the handoff outbox keeps the line)', async () => {
    const sender = new WebChatSender();
    const a = res();
    sender.attach('c2', a);
    a.end();
    await expect(sender.send({ conversation: 'c2' }, message('x'))).rejects.toSatisfy((e) =>
      isSwitchboardError(e, 'E_NOT_CONNECTED'),
    );
  });

  it('replays what a page missed after its Last-Event-ID', async () => {
    const sender = new WebChatSender();
    const a = res();
    sender.attach('c3', a);
    await sender.send({ conversation: 'c3' }, message('one'));
    await sender.send({ conversation: 'c3' }, message('two'));
    const lastSeen = Number(a.chunks.find((c) => c.includes('"one"'))?.match(/id: (\d+)/)?.[1]);
    const b = res();
    sender.attach('c3', b, lastSeen);
    expect(b.events.map((e) => e.text)).toEqual(['two']);
  });
});
