/**
 * Behaviour tests: stakeholder examples in test/behaviour/*.yaml, run against the shipped models through the whole
 * bot (NLU → router → reply). Each YAML file names its bot config and lists cases: `text` and any of `language` (the
 * detected language), `intent` (the model's top intent), `decision` (answer | clarify | handoff), `reason`,
 * `answered` (the intent the decision answers, e.g. `smalltalk.greet`), `reply_language`, `reply` (a part of the reply
 * text), `entities` (each `{type, text}` must be found).
 *
 * `dialogues`: conversations through the turn handler with the human handoff (an in-memory database), step by step:
 * `say` (a message) or `press: cancel` (the button that leaves the queue), each with `expect`: `status` (replied,
 * relayed, left_queue), `decision`, `reason`, `answered`, `reply` (a part of the text sent back), `ticket` (the
 * conversation's ticket status afterwards: queued, cancelled…, or `none`).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { Bot } from '../../src/bot.ts';
import { MemorySender } from '../../src/channel-sender.ts';
import type { BehaviourCase } from '../../src/cli/behaviour-command.ts';
import { CANCEL_QUEUE_CHOICE, HandoffService } from '../../src/handoff/handoff-service.ts';
import { memoryLogger } from '../../src/log.ts';
import { openStores } from '../../src/server/open-stores.ts';
import type { Turn } from '../../src/turn.ts';
import { TurnHandler } from '../../src/turn-handler.ts';

/** A case as `switchboard test` reads it, plus the entities this suite also checks. */
interface Case extends BehaviourCase {
  entities?: { type: string; text: string }[];
}

interface Step {
  say?: string;
  press?: 'cancel';
  expect: { status?: string; decision?: string; reason?: string; answered?: string; reply?: string; ticket?: string };
}

const here = import.meta.dirname;
const files = readdirSync(here).filter((f) => f.endsWith('.yaml'));
const bots: Bot[] = [];
afterAll(async () => {
  for (const b of bots) await b.release();
});

for (const file of files) {
  const spec = parse(readFileSync(join(here, file), 'utf8')) as {
    config: string;
    cases?: Case[];
    dialogues?: { name: string; steps: Step[] }[];
  };
  describe(file, async () => {
    const bot = await Bot.load(resolve(dirname(join(here, file)), spec.config), {
      now: () => new Date('2026-11-20T10:00:00'),
    });
    bots.push(bot);
    for (const c of spec.cases ?? []) {
      it(c.text, async () => {
        const { understanding: u, decision, reply } = await bot.respond(c.text);
        if (c.language) expect(u.language?.language, 'language').toBe(c.language);
        if (c.intent) expect(u.intents[0]?.intent, 'top intent').toBe(c.intent);
        if (c.decision) expect(decision.kind, 'decision').toBe(c.decision);
        if (c.reason) expect(decision.reason, 'reason').toBe(c.reason);
        if (c.answered) expect(decision.intent, 'answered intent').toBe(c.answered);
        if (c.reply_language) expect(reply.language, 'reply language').toBe(c.reply_language);
        if (c.reply) expect(reply.text, 'reply').toContain(c.reply);
        for (const e of c.entities ?? []) {
          expect(
            u.entities.map((m) => ({ type: m.type, text: m.text })),
            'entities',
          ).toContainEqual(e);
        }
      });
    }
    for (const d of spec.dialogues ?? []) {
      it(`dialogue: ${d.name}`, async () => {
        const stores = await openStores({ sqliteFile: ':memory:' });
        try {
          const sender = new MemorySender('web');
          const handoffs = new HandoffService({
            store: stores.handoffs,
            conversations: stores.conversations,
            senders: { web: sender },
            config: bot.config,
            log: memoryLogger(),
          });
          const handler = new TurnHandler({ bot, store: stores.conversations, senders: { web: sender }, handoffs });
          const conversation = `web:${d.name}`;
          for (const [i, step] of d.steps.entries()) {
            const turn: Turn = {
              id: `${d.name}-${i}`,
              channel: 'web',
              conversation,
              user: 'visitor',
              text: step.say ?? '',
              ...(step.press === 'cancel' ? { action: { kind: 'choice' as const, intent: CANCEL_QUEUE_CHOICE } } : {}),
              // Strictly increasing: a ticket opened by one step is older than the next step.
              receivedAt: Date.now() + i,
            };
            const before = sender.sent.length;
            const outcome = await handler.handle(turn, { conversation });
            const where = `step ${i + 1} (${step.say ?? step.press})`;
            const x = step.expect;
            if (x.status) expect(outcome.status, `${where}: status`).toBe(x.status);
            const decision = 'decision' in outcome ? outcome.decision : undefined;
            if (x.decision) expect(decision?.kind, `${where}: decision`).toBe(x.decision);
            if (x.reason) expect(decision?.reason, `${where}: reason`).toBe(x.reason);
            if (x.answered) expect(decision?.intent, `${where}: answered`).toBe(x.answered);
            const said = sender.sent
              .slice(before)
              .map((s) => s.message.reply.text)
              .join('\n');
            if (x.reply) expect(said, `${where}: reply`).toContain(x.reply);
            if (x.ticket) {
              const tickets = (await stores.handoffs.list(undefined, 10)).filter(
                (t) => t.conversation === conversation,
              );
              expect(tickets.at(-1)?.status ?? 'none', `${where}: ticket`).toBe(x.ticket);
            }
          }
        } finally {
          await stores.close();
        }
      });
    }
  });
}
