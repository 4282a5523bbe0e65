import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Bot } from '../../src/bot.ts';
import { MemorySender } from '../../src/channel-sender.ts';
import { DEFAULT_BOT_CONFIG } from '../../src/nlu/default-model.ts';
import { MemoryConversationStore } from '../../src/store/conversation-store.ts';
import type { Turn } from '../../src/turn.ts';
import { TurnHandler } from '../../src/turn-handler.ts';

let bot: Bot;
beforeAll(async () => {
  bot = await Bot.load(DEFAULT_BOT_CONFIG);
});
afterAll(async () => bot.release());

const setup = () => {
  const store = new MemoryConversationStore();
  const sender = new MemorySender('slack');
  const handler = new TurnHandler({ bot, store, senders: { slack: sender } });
  return { store, sender, handler };
};
let n = 0;
const turn = (over: Partial<Turn>): Turn => ({
  id: `Ev${++n}`,
  channel: 'slack',
  conversation: 'slack:T1:D1',
  user: 'U1',
  text: '',
  receivedAt: Date.now(),
  ...over,
});

/** A handler over in-memory SQLite stores with the turn log, and the sender it replies through. */
async function withTurnLog() {
  const { openStores } = await import('../../src/server/open-stores.ts');
  const stores = await openStores({ sqliteFile: ':memory:' });
  const sender = new MemorySender('slack');
  const handler = new TurnHandler({
    bot,
    store: stores.conversations,
    senders: { slack: sender },
    turnLog: stores.turns,
  });
  return { stores, sender, handler };
}

describe('TurnHandler', () => {
  it('answers a turn and remembers the address (retries are refused before, at the door: turn-intake.test.ts)', async () => {
    const { store, sender, handler } = setup();
    const t = turn({ text: 'wake me up at 7 tomorrow' });
    const first = await handler.handle(t, { channel: 'D1', thread_ts: '1.1' });
    expect(first).toMatchObject({ status: 'replied', decision: { kind: 'answer', intent: 'alarm_set' } });
    expect(sender.sent).toHaveLength(1);
    expect(sender.sent[0].message).toMatchObject({ turn: `slack:${t.id}`, feedback: true });
    expect(await store.getAddress('slack:T1:D1')).toEqual({
      channel: 'slack',
      address: { channel: 'D1', thread_ts: '1.1' },
    });
  });

  it('uses the channel locale as a language hint and keeps the conversation language', async () => {
    const { store, sender, handler } = setup();
    await handler.handle(turn({ text: 'pon una alarma a las siete', locale: 'es-ES' }), {});
    expect(sender.sent[0].message.reply.language).toBe('es');
    expect((await store.get('slack:T1:D1')).language).toBe('es');
  });

  it('answers a quick-reply choice as chosen, in the conversation language', async () => {
    const { store, sender, handler } = setup();
    await store.set('slack:T1:D1', { clarifications: 1, language: 'fr' });
    const r = await handler.handle(turn({ action: { kind: 'choice', intent: 'weather_query' } }), {});
    expect(r).toMatchObject({ status: 'replied', decision: { kind: 'answer', reason: 'chosen', language: 'fr' } });
    expect(sender.sent[0].message.reply.text).toBe(bot.config.answers.weather_query.fr);
    expect((await store.get('slack:T1:D1')).clarifications).toBe(0);
    // An intent without an answer goes to a person.
    const h = await handler.handle(turn({ action: { kind: 'choice', intent: 'music_query' } }), {});
    expect(h).toMatchObject({ decision: { kind: 'handoff', reason: 'no_answer' } });
  });

  it('records feedback once; 👎 apologises and offers a person, who is asked for with the button', async () => {
    const { store, sender, handler } = setup();
    const up = await handler.handle(turn({ action: { kind: 'feedback', rating: 'up', turn: 'slack:Ev0' } }), {});
    expect(up).toEqual({ status: 'feedback', recorded: true });
    expect(sender.sent).toHaveLength(0);
    const down = await handler.handle(turn({ action: { kind: 'feedback', rating: 'down', turn: 'slack:EvX' } }), {});
    expect(down).toMatchObject({ status: 'feedback', recorded: true });
    expect(sender.sent[0].message).toMatchObject({ offerHuman: true, feedback: false });
    const again = await handler.handle(turn({ action: { kind: 'feedback', rating: 'down', turn: 'slack:EvX' } }), {});
    expect(again).toEqual({ status: 'feedback', recorded: false });
    expect(sender.sent).toHaveLength(1);
    expect(store.feedback.get('slack:EvX')?.rating).toBe('down');
    const human = await handler.handle(turn({ action: { kind: 'human' } }), {});
    expect(human).toMatchObject({ decision: { kind: 'handoff', reason: 'human_requested' } });
    expect(sender.sent[1].message.reply.handoff).toBe(true);
  });

  it('a 👎 turn handled again after a crash still apologises; a second press of the button does not', async () => {
    const { sender, handler } = setup();
    const press = turn({ action: { kind: 'feedback', rating: 'down', turn: 'slack:EvCrash' } });
    expect(await handler.handle(press, {})).toMatchObject({ recorded: true });
    // The process died before the apology went out: the sweep hands the same turn over again, resumed.
    expect(await handler.handle(press, {}, true)).toMatchObject({ recorded: true });
    expect(sender.sent).toHaveLength(2); // the sender (keyed by the turn) does not post an apology it already posted
    expect(sender.sent[1].message).toMatchObject({ turn: sender.sent[0].message.turn, offerHuman: true });
    const second = turn({
      action: { kind: 'feedback', rating: 'down', turn: 'slack:EvCrash' },
      receivedAt: press.receivedAt + 1000,
    });
    expect(await handler.handle(second, {}, true)).toEqual({ status: 'feedback', recorded: false });
    expect(sender.sent).toHaveLength(2);
  });

  it('with the turn log: a resumed 👎 turn apologises again, a fresh duplicate does not', async () => {
    const { stores, sender, handler } = await withTurnLog();
    const asked = turn({ text: 'what is the weather like today', conversation: 'slack:T1:DC' });
    await handler.handle(asked, {});
    const press = turn({
      action: { kind: 'feedback', rating: 'down', turn: `slack:${asked.id}` },
      conversation: 'slack:T1:DC',
    });
    expect(await handler.handle(press, {})).toMatchObject({ recorded: true });
    expect(await handler.handle(press, {})).toEqual({ status: 'feedback', recorded: false }); // not resumed
    expect(await handler.handle(press, {}, true)).toMatchObject({ recorded: true });
    expect(sender.sent.filter((s) => s.message.offerHuman)).toHaveLength(2);
    await stores.close();
  });

  it('an empty or binary-looking message is still answered (a person if nothing is understood), a huge one is cut', async () => {
    const { sender, handler } = setup();
    for (const text of ['', '\u0000\u0001\u0002', 'x'.repeat(100_000)]) {
      const r = await handler.handle(turn({ text }), {});
      expect(r.status).toBe('replied');
    }
    expect(sender.sent).toHaveLength(3);
    expect(sender.sent[0].message.reply.handoff).toBe(true);
  });

  it('fails loudly when the channel has no sender (the turn is claimed and its state saved first)', async () => {
    const store = new MemoryConversationStore();
    const handler = new TurnHandler({ bot, store, senders: {} });
    await expect(handler.handle(turn({ text: 'hello' }), {})).rejects.toThrow(/no sender for channel slack/);
  });
});

describe('TurnHandler with the turn log', () => {
  it('logs questions (not button presses), feedback on unknown or repeated turns changes nothing', async () => {
    const { stores, handler } = await withTurnLog();
    const asked = turn({ text: 'what is the weather like today', conversation: 'slack:T1:D9' });
    await handler.handle(asked, {});
    const logged = await stores.turns.get(`slack:${asked.id}`);
    expect(logged).toMatchObject({
      decision: 'answer',
      intent: 'weather_query',
      text: 'what is the weather like today',
    });
    expect(logged?.model_version).toMatch(/^[0-9a-f]{12}$/);
    const unknown = await handler.handle(
      turn({ action: { kind: 'feedback', rating: 'down', turn: 'slack:nope' } }),
      {},
    );
    expect(unknown).toEqual({ status: 'feedback', recorded: false });
    const up = turn({
      action: { kind: 'feedback', rating: 'up', turn: `slack:${asked.id}` },
      conversation: 'slack:T1:D9',
    });
    expect(await handler.handle(up, {})).toEqual({ status: 'feedback', recorded: true });
    const down = turn({
      action: { kind: 'feedback', rating: 'down', turn: `slack:${asked.id}` },
      conversation: 'slack:T1:D9',
    });
    expect(await handler.handle(down, {})).toEqual({ status: 'feedback', recorded: false });
    expect((await stores.turns.get(`slack:${asked.id}`))?.feedback).toBe('up');
    // A turn whose clock is far ahead (skew) is still logged and counted.
    await handler.handle(turn({ text: 'hello', receivedAt: Date.now() + 3_600_000 }), {});
    const all = await stores.turns.range(0, Date.now() + 7_200_000);
    expect(all.filter((t) => t.nlu_ms !== undefined)).toHaveLength(2);
    await stores.close();
  });

  it('small talk is logged as an automated answer under smalltalk.<kind>: no 👍/👎, no audit, not escalated by a later request', async () => {
    const { stores, sender, handler } = await withTurnLog();
    const conversation = 'slack:T1:D42';
    const t0 = Date.now();
    const hi = turn({ text: 'Guten Morgen!', conversation, receivedAt: t0 });
    const r = await handler.handle(hi, {});
    expect(r).toMatchObject({
      status: 'replied',
      decision: { kind: 'answer', reason: 'smalltalk', intent: 'smalltalk.greet', language: 'de' },
    });
    expect(sender.sent[0].message.feedback).toBe(false);
    expect(sender.sent[0].message.reply.text).toBe(bot.config.smalltalk?.greet?.answer.de);
    expect(await stores.turns.get(`slack:${hi.id}`)).toMatchObject({
      decision: 'answer',
      reason: 'smalltalk',
      intent: 'smalltalk.greet',
      audit_sampled: false,
    });
    // Asking for a person next is not a complaint about the greeting.
    await handler.handle(
      turn({ text: 'ich möchte mit einem Menschen sprechen', conversation, receivedAt: t0 + 1000 }),
      {},
    );
    expect((await stores.turns.get(`slack:${hi.id}`))?.escalated).toBeFalsy();
    await stores.close();
  });

  it('feedback and buttons count only for turns of the conversation that sends them', async () => {
    const { openStores } = await import('../../src/server/open-stores.ts');
    const stores = await openStores({ sqliteFile: ':memory:' });
    const handler = new TurnHandler({
      bot,
      store: stores.conversations,
      senders: { slack: new MemorySender('slack') },
      turnLog: stores.turns,
    });
    const asked = turn({ text: 'what is the weather like today', conversation: 'slack:T1:DA' });
    await handler.handle(asked, {});
    const id = `slack:${asked.id}`;
    // Another conversation names A's turn: nothing is recorded (it would skew the automation rate).
    const foreign = turn({ action: { kind: 'feedback', rating: 'down', turn: id }, conversation: 'slack:T1:DB' });
    expect(await handler.handle(foreign, {})).toEqual({ status: 'feedback', recorded: false });
    // "Talk to a person" in B is not an escalation of A's answer.
    await handler.handle(turn({ action: { kind: 'human' }, conversation: 'slack:T1:DB' }), {});
    expect(await stores.turns.get(id)).toMatchObject({ escalated: false });
    expect((await stores.turns.get(id))?.feedback).toBeUndefined();
    // A's own 👎 counts.
    const own = turn({ action: { kind: 'feedback', rating: 'down', turn: id }, conversation: 'slack:T1:DA' });
    expect(await handler.handle(own, {})).toMatchObject({ status: 'feedback', recorded: true });
    expect((await stores.turns.get(id))?.feedback).toBe('down');
    await stores.close();
  });

  it('a turn taken up again does not send a reply the channel says went out before the crash', async () => {
    const store = new MemoryConversationStore();
    const sender = Object.assign(new MemorySender('slack'), {
      wasSent: async (_address: unknown, m: { turn: string }) => m.turn === 'slack:EvSentBefore',
    });
    const handler = new TurnHandler({ bot, store, senders: { slack: sender } });
    const sent = turn({ id: 'EvSentBefore', text: 'wake me up at 7 tomorrow' });
    expect(await handler.handle(sent, {}, true)).toMatchObject({ status: 'replied' });
    expect(sender.sent).toHaveLength(0); // sent before the crash: not again
    await handler.handle(turn({ id: 'EvNotSent', text: 'wake me up at 7 tomorrow' }), {}, true);
    expect(sender.sent).toHaveLength(1); // not found: sent
    await handler.handle(turn({ id: 'EvSentBefore', text: 'wake me up at 7 tomorrow' }), {});
    expect(sender.sent).toHaveLength(2); // a first attempt never asks
  });

  it("asks the inbox's fence right before sending: a turn another instance took is not answered here", async () => {
    const { sender, handler } = setup();
    let asked = 0;
    const lost = async () => {
      asked++;
      throw Object.assign(new Error('taken by another instance'), { code: 'E_LEASE_LOST' });
    };
    await expect(handler.handle(turn({ text: 'wake me up at 7 tomorrow' }), {}, true, lost)).rejects.toMatchObject({
      code: 'E_LEASE_LOST',
    });
    expect(asked).toBe(1);
    expect(sender.sent).toHaveLength(0);
    await handler.handle(turn({ text: 'wake me up at 7 tomorrow' }), {}, false, async () => {});
    expect(sender.sent).toHaveLength(1);
  });
});
