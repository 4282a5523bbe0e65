import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { StreamLimits } from '../../../../src/adapters/web/stream-limits.ts';
import { webChannel } from '../../../../src/adapters/web/web-chat.ts';
import {
  conversationOfRequest,
  conversationOfToken,
  newChatToken,
} from '../../../../src/adapters/web/web-chat-token.ts';
import { readWebEnv } from '../../../../src/adapters/web/web-env.ts';

const req = (authorization?: string) => ({ headers: authorization ? { authorization } : {} }) as IncomingMessage;

describe('web chat tokens', () => {
  it('are unguessable, and the conversation id is a one-way hash of the token', () => {
    const a = newChatToken();
    const b = newChatToken();
    expect(a).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(a).not.toBe(b);
    expect(conversationOfToken(a)).toBe(conversationOfToken(a));
    expect(conversationOfToken(a)).not.toBe(conversationOfToken(b));
    expect(conversationOfToken(a)).toMatch(/^[A-Za-z0-9_-]{24}$/);
    expect(a).not.toContain(conversationOfToken(a));
  });

  it('are taken from the bearer header or the given parameter; anything else opens nothing', () => {
    const t = newChatToken();
    expect(conversationOfRequest(req(`bearer ${t}`), undefined)).toBe(conversationOfToken(t));
    expect(conversationOfRequest(req(), t)).toBe(conversationOfToken(t));
    // A conversation id (what agents and logs see) is not a token.
    expect(conversationOfRequest(req(), conversationOfToken(t))).toBeUndefined();
    for (const bad of [undefined, '', 'web-123', 42, `${t}x`, t.slice(1)])
      expect(conversationOfRequest(req(), bad)).toBeUndefined();
  });

  it('agents see a display name, never the token', () => {
    const t = newChatToken();
    const conversation = conversationOfToken(t);
    const name = webChannel.customerName?.({ conversation });
    expect(name).toMatch(/^Visitor [0-9A-F]{4}$/);
    // Stable for the conversation, different for another, and never a piece of the raw id or the token.
    expect(webChannel.customerName?.({ conversation })).toBe(name);
    expect(webChannel.customerName?.({ conversation: conversationOfToken(newChatToken()) })).toMatch(/^Visitor /);
    expect(name).not.toContain(conversation.slice(0, 4));
    expect(name).not.toContain(t.slice(0, 4));
  });
});

describe('StreamLimits', () => {
  it('refuses beyond the per-client and the total limit, and gives streams back once', () => {
    const limits = new StreamLimits(2, 3);
    const a1 = limits.take('a');
    const a2 = limits.take('a');
    expect(limits.take('a')).toBe('client');
    const b1 = limits.take('b');
    expect(limits.take('b')).toBe('total');
    expect(limits.open()).toBe(3);
    if (typeof a1 !== 'function' || typeof a2 !== 'function' || typeof b1 !== 'function') throw new Error('refused');
    a1();
    a1(); // a second close changes nothing
    expect(limits.open()).toBe(2);
    expect(limits.open('a')).toBe(1);
    expect(typeof limits.take('b')).toBe('function');
  });
});

describe('readWebEnv', () => {
  it('defaults, overrides, and names an invalid variable', () => {
    expect(readWebEnv({})).toEqual({ streamsPerClient: 20, streamsMax: 2000, trustedProxies: new Set() });
    expect(readWebEnv({ SWITCHBOARD_WEB_STREAMS_PER_CLIENT: '3', SWITCHBOARD_WEB_STREAMS_MAX: ' ' })).toEqual({
      streamsPerClient: 3,
      streamsMax: 2000,
      trustedProxies: new Set(),
    });
    expect(() => readWebEnv({ SWITCHBOARD_WEB_STREAMS_MAX: '0' })).toThrow(/SWITCHBOARD_WEB_STREAMS_MAX/);
    expect(() => readWebEnv({ SWITCHBOARD_WEB_STREAMS_PER_CLIENT: 'many' })).toThrow(
      /SWITCHBOARD_WEB_STREAMS_PER_CLIENT/,
    );
  });
});
