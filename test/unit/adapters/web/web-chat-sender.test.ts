import { EventEmitter } from 'node:events';
import type { ServerResponse } from 'node:http';
import { describe, expect, it, vi } from 'vitest';
import { WebChatSender } from '../../../../src/adapters/web/web-chat.ts';
import { memoryLogger } from '../../../../src/log.ts';
import { MemoryEventFeed } from '../../../../src/store/event-feed.ts';
import { WAIT_MS } from '../../../fixtures/wait.ts';

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
let turns = 0;
const message = (text: string) => ({ reply: { text, language: 'en' }, turn: `web:${++turns}`, feedback: true });

describe('WebChatSender', () => {
  it('pushes to every page of the conversation, with feedback and quick replies', async () => {
    const sender = new WebChatSender(new MemoryEventFeed(), memoryLogger());
    const a = res();
    const b = res();
    await sender.attach('c1', a);
    await sender.attach('c1', b);
    await sender.send({ conversation: 'c1' }, message('hello'));
    await vi.waitFor(() => expect(b.events).toHaveLength(1), { timeout: WAIT_MS });
    expect(a.events).toEqual([
      { text: 'hello', from: 'bot', language: 'en', feedback_turn: expect.stringMatching(/^web:\d+$/) },
    ]);
  });

  it('an agent’s line says so: from agent, the agent’s name and words apart (the page styles them differently)', async () => {
    const sender = new WebChatSender(new MemoryEventFeed(), memoryLogger());
    const a = res();
    await sender.attach('c9', a);
    const line = { ...message('Ann: Which invoice?'), feedback: false, agent: { name: 'Ann', text: 'Which invoice?' } };
    await sender.send({ conversation: 'c9' }, line);
    await vi.waitFor(() => expect(a.events).toHaveLength(1), { timeout: WAIT_MS });
    expect(a.events[0]).toEqual({
      text: 'Ann: Which invoice?',
      from: 'agent',
      agent_name: 'Ann',
      agent_text: 'Which invoice?',
      language: 'en',
    });
  });

  it('a message sent while no page is connected waits in the feed for the page that comes back', async () => {
    const feed = new MemoryEventFeed();
    const sender = new WebChatSender(feed, memoryLogger());
    const a = res();
    await sender.attach('c2', a);
    await sender.send({ conversation: 'c2' }, message('first'));
    await vi.waitFor(() => expect(a.events).toHaveLength(1), { timeout: WAIT_MS });
    const lastSeen = Number(a.chunks.find((c) => c.includes('"first"'))?.match(/id: (\d+)/)?.[1]);
    a.end();
    await sender.send({ conversation: 'c2' }, message('while away')); // no page: not an error
    const again = new WebChatSender(feed, memoryLogger()); // another instance, or this one after a restart
    const b = res();
    await again.attach('c2', b, lastSeen);
    await vi.waitFor(() => expect(b.events.map((e) => e.text)).toEqual(['while away']), { timeout: WAIT_MS });
  });

  it('a page that has seen nothing yet is given an id to reconnect from, and misses nothing sent meanwhile', async () => {
    const feed = new MemoryEventFeed();
    const sender = new WebChatSender(feed, memoryLogger());
    await sender.send({ conversation: 'c6' }, message('before'));
    const a = res();
    await sender.attach('c6', a);
    const given = Number(a.chunks[0].match(/^id: (\d+)$/m)?.[1]);
    expect(given).toBeGreaterThan(0);
    a.end(); // gone before any event reached it
    await sender.send({ conversation: 'c6' }, message('while away'));
    const b = res();
    await new WebChatSender(feed, memoryLogger()).attach('c6', b, given);
    await vi.waitFor(() => expect(b.events.map((e) => e.text)).toEqual(['while away']), { timeout: WAIT_MS });
  });

  it('the same message sent again (a turn handled again after a database fault) is shown once', async () => {
    const sender = new WebChatSender(new MemoryEventFeed(), memoryLogger());
    const a = res();
    await sender.attach('c5', a);
    const once = message('only once');
    await sender.send({ conversation: 'c5' }, once);
    await sender.send({ conversation: 'c5' }, once);
    await sender.send({ conversation: 'c5' }, message('next'));
    await vi.waitFor(() => expect(a.events.map((e) => e.text)).toEqual(['only once', 'next']), { timeout: WAIT_MS });
  });

  it('a page without Last-Event-ID gets only what comes next; another conversation gets nothing', async () => {
    const feed = new MemoryEventFeed();
    const sender = new WebChatSender(feed, memoryLogger());
    await sender.send({ conversation: 'c3' }, message('old'));
    const a = res();
    const other = res();
    await sender.attach('c3', a);
    await sender.attach('c4', other);
    await sender.send({ conversation: 'c3' }, message('new'));
    await vi.waitFor(() => expect(a.events.map((e) => e.text)).toEqual(['new']), { timeout: WAIT_MS });
    expect(other.events).toEqual([]);
  });
});
