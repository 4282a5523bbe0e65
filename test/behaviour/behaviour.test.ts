/**
 * Behaviour tests: stakeholder examples in test/behaviour/*.yaml, run against the shipped models through the whole
 * bot (NLU → router → reply). Each YAML file names its bot config and lists cases: `text` and any of `language`,
 * `intent` (the top intent), `decision` (answer | clarify | handoff), `reason`, `entities` (each `{type, text}` must
 * be found).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { Bot } from '../../src/bot.ts';

interface Case {
  text: string;
  language?: string;
  intent?: string;
  decision?: string;
  reason?: string;
  entities?: { type: string; text: string }[];
}

const here = import.meta.dirname;
const files = readdirSync(here).filter((f) => f.endsWith('.yaml'));
const bots: Bot[] = [];
afterAll(async () => {
  for (const b of bots) await b.release();
});

for (const file of files) {
  const spec = parse(readFileSync(join(here, file), 'utf8')) as { config: string; cases: Case[] };
  describe(file, async () => {
    const bot = await Bot.load(resolve(dirname(join(here, file)), spec.config), {
      now: () => new Date('2026-11-20T10:00:00'),
    });
    bots.push(bot);
    for (const c of spec.cases) {
      it(c.text, async () => {
        const { understanding: u, decision } = await bot.respond(c.text);
        if (c.language) expect(u.language?.language, 'language').toBe(c.language);
        if (c.intent) expect(u.intents[0]?.intent, 'top intent').toBe(c.intent);
        if (c.decision) expect(decision.kind, 'decision').toBe(c.decision);
        if (c.reason) expect(decision.reason, 'reason').toBe(c.reason);
        for (const e of c.entities ?? []) {
          expect(
            u.entities.map((m) => ({ type: m.type, text: m.text })),
            'entities',
          ).toContainEqual(e);
        }
      });
    }
  });
}
