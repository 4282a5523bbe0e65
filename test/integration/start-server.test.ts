import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningServer, spawnServer } from '../fixtures/spawn-server.ts';
import { RULE_WARM_UP_MS, untilRuleEntitiesReady, WAIT_MS } from '../fixtures/wait.ts';

// The real server (`switchboard start`) on a loopback port chosen by the OS, with the shipped model.
let server: RunningServer | undefined;
const storeDir = mkdtempSync(join(tmpdir(), 'switchboard-store-'));
let base = '';

beforeAll(async () => {
  server = await spawnServer(['--store', join(storeDir, 'switchboard.db')]);
  base = server.base;
  // "finds entities" asks for every entity: it would wait behind the rule thread's warm-up (minutes when busy).
  await untilRuleEntitiesReady(base);
}, RULE_WARM_UP_MS);

afterAll(() => {
  server?.stop();
  rmSync(storeDir, { recursive: true, force: true });
});

const parse = (body: string) => fetch(`${base}/api/nlu/parse`, { method: 'POST', body });

describe('switchboard start', () => {
  it("measures the rule recognizers' warm-up and reports it", async () => {
    await expect
      .poll(() => server?.output(), { timeout: WAIT_MS })
      .toMatch(/rule recognizers warmed up in \d+\.\d s \(measured now\)/);
  });

  it('answers /healthz', async () => {
    const r = await fetch(`${base}/healthz`);
    expect(r.status).toBe(200);
    expect((await r.json()).ok).toBe(true);
  });

  it('parses a message into an Understanding with every intent ranked', async () => {
    const r = await parse(JSON.stringify({ text: 'quiero escuchar música' }));
    expect(r.status).toBe(200);
    const { understanding } = await r.json();
    expect(understanding.intents).toHaveLength(61); // 60 MASSIVE intents and the background out_of_scope class
    expect(understanding.intents[0].intent).toBe('play_music');
    expect(understanding.timings.total_ms).toBeGreaterThanOrEqual(0);
    expect(understanding.languages[0].language).toBe('es');
    expect(understanding.language).toEqual({ language: 'es', reason: 'text', script: 'Latin' });
  });

  it('finds entities: the NER for English turns, rule entities in every language, offsets into the original text', async () => {
    const en = 'Hi, this is John Smith: please email bob@example.com about my $25.50 refund';
    // The rule recognizers run in a worker thread; a turn waits for them only within its budget unless asked to.
    const quick = (await (await parse(JSON.stringify({ text: en }))).json()).understanding;
    expect(quick.entities.find((e: { type: string }) => e.type === 'PER')).toMatchObject({ text: 'John Smith' });
    if (quick.pending) expect(quick.pending).toEqual(['rule_entities']);
    else expect(quick.entities.map((e: { type: string }) => e.type)).toContain('email');
    const r1 = (await (await parse(JSON.stringify({ text: en, wait_entities: true }))).json()).understanding;
    expect(r1.pending).toBeUndefined();
    const byType = Object.fromEntries(r1.entities.map((e: { type: string }) => [e.type, e]));
    expect(byType.PER).toMatchObject({ text: 'John Smith', source: 'ner' });
    expect(byType.email).toMatchObject({ text: 'bob@example.com', source: 'rule', value: 'bob@example.com' });
    expect(byType.money.value.amount).toBe(25.5);
    for (const e of r1.entities) expect(en.slice(e.start, e.end)).toBe(e.text);
    const es = 'Juan Pérez quiere cambiar su reserva, escriba a juan@example.com';
    const r2 = (await (await parse(JSON.stringify({ text: es, wait_entities: true }))).json()).understanding;
    expect(r2.language.language).toBe('es');
    expect(r2.entities.map((e: { type: string }) => e.type)).toEqual(['email']); // no English NER on Spanish
    expect(r1.timings.entities_ms).toBeGreaterThanOrEqual(0);
  });

  it("decides and replies with the demo config: answer, handoff on request, in the customer's language", async () => {
    const ask = async (text: string) => (await (await parse(JSON.stringify({ text }))).json()) as Record<string, any>;
    const a = await ask('wake me up at 7 tomorrow');
    expect(a.decision).toMatchObject({ kind: 'answer', reason: 'confident', intent: 'alarm_set', language: 'en' });
    expect(a.reply.text).toMatch(/Settings → Alarms/);
    const es = await ask('¿qué tiempo hace hoy en Madrid?');
    expect(es.decision).toMatchObject({ kind: 'answer', intent: 'weather_query', language: 'es' });
    expect(es.reply.text).toMatch(/pronóstico/);
    const human = await ask('I want to talk to a real person');
    expect(human.decision).toMatchObject({ kind: 'handoff', reason: 'human_requested' });
    expect(human.reply.handoff).toBe(true);
    expect((await ask('Привет, моя карта')).decision.reason).toBe('unsupported_language');
  });

  it('continues a conversation: its language sticks to the next, ambiguous turn', async () => {
    const turn = async (text: string, conversation: string) =>
      (await (await parse(JSON.stringify({ text, conversation }))).json()).understanding.language.language as string;
    expect(await turn('quiero cambiar la fecha de mi reserva', 'c-1')).toBe('es');
    expect(await turn('hotel', 'c-1')).toBe('es');
    expect(await turn('Ich möchte meine Buchung ändern', 'c-2')).toBe('de');
    expect(await turn('hotel', 'c-2')).toBe('de');
    const bad = await parse(JSON.stringify({ text: 'hola', conversation: 7 }));
    expect(bad.status).toBe(400);
  });

  it('takes the conversation language and channel hints, which break ties but never override the text', async () => {
    const lang = async (body: unknown) =>
      (await (await parse(JSON.stringify(body))).json()).understanding.language.language as string;
    expect(await lang({ text: 'hotel', language: 'de' })).toBe('de');
    expect(await lang({ text: 'hotel', hints: { previous: 'en', locale: 'en-US' } })).toBe('en');
    expect(await lang({ text: 'quiero cancelar mi reserva de hotel', language: 'de' })).toBe('es');
    expect(await lang({ text: '12345', hints: { locale: 'fr-FR' } })).toBe('fr');
    const bad = await parse(JSON.stringify({ text: 'hola', hints: { locale: 5 } }));
    expect(bad.status).toBe(400);
    expect((await bad.json()).message).toMatch(/hints.locale must be a string/);
  });

  it('rejects malformed, non-string and oversized bodies with clear errors', async () => {
    expect((await parse('not json')).status).toBe(400);
    const wrongType = await parse(JSON.stringify({ text: 5 }));
    expect(wrongType.status).toBe(400);
    expect((await wrongType.json()).message).toMatch(/text must be a string/);
    expect((await parse(JSON.stringify({ text: 'x'.repeat(70_000) }))).status).toBe(413);
    expect((await fetch(`${base}/nope`)).status).toBe(404);
  });
});
