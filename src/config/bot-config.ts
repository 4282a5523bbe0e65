/**
 * `bot.yaml`: what a support team edits — the bot's languages, models, routing policy, answers per intent and
 * language, the handoff and clarify messages, pattern entities. Validated with zod at startup; every error names its
 * path in the file (`answers.card_lost.es: required`). Paths are relative to the config file.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { isMap, isScalar, LineCounter, parseDocument } from 'yaml';
import { z } from 'zod';
import { SwitchboardError } from '../errors.ts';
import { baseLanguage } from '../nlu/language/languages.ts';
import { PASSWORD_HASH } from '../util/password-hash.ts';

const language = z
  .string()
  .refine((s) => baseLanguage(s) === s, { message: 'not an ISO 639-1 code switchboard knows' });
const perLanguage = z.record(language, z.string().min(1));
/** Phrases per language (small talk, leaving the queue). */
const phrasesPerLanguage = z.record(language, z.array(z.string().min(1)).min(1));
/** One kind of small talk: what customers write, what the bot says back. */
const smalltalkKind = z
  .object({
    /** Whole messages (with filler words around them) that are this kind of small talk, per language. */
    phrases: phrasesPerLanguage,
    /** The bot's reply, in every configured language. */
    answer: perLanguage,
  })
  .strict();

export const BotConfigSchema = z
  .object({
    /** The bot's name, shown to customers (the web chat's header). */
    name: z.string().trim().min(1).max(80).optional(),
    languages: z.array(language).min(1),
    default_language: language,
    models: z
      .object({
        intent: z.string().optional(),
        language: z.string().nullable().optional(),
        ner: z.string().nullable().optional(),
      })
      .strict()
      .default({}),
    policy: z
      .object({
        threshold: z.number().min(0).max(1).optional(),
        intent_thresholds: z.record(z.number().min(0).max(1)).optional(),
        clarify_margin: z.number().min(0).max(1).optional(),
        clarify_choices: z.number().int().min(2).max(5).optional(),
        max_clarifications: z.number().int().min(0).optional(),
        out_of_scope_intents: z.array(z.string()).optional(),
      })
      .strict()
      .default({}),
    /** intent → language → answer text (`{type}` slots are filled with the turn's first entity of that type). */
    answers: z.record(z.string(), perLanguage).default({}),
    /** Shown on a quick reply for an intent (default: the intent name). */
    intent_labels: z.record(z.string(), perLanguage).default({}),
    handoff: z
      .object({
        /** Said when the bot hands the conversation to a person. */
        message: perLanguage,
        /** Holding message while the ticket waits; `{position}` is the customer's place in the queue. */
        queued: perLanguage.optional(),
        /** Said when an agent claims the ticket; `{agent}` is the agent's name. */
        claimed: perLanguage.optional(),
        /** Said when the agent resolves the ticket and the bot takes over again. */
        closing: perLanguage.optional(),
        /** Said when nobody claimed the ticket in time. */
        abandoned: perLanguage.optional(),
        /**
         * What a queued customer writes to leave the queue and go back to the bot (whole messages, like small talk);
         * English ones ("cancel", "never mind") are always understood.
         */
        cancel: phrasesPerLanguage.optional(),
        /** Said when the customer left the queue; the bot answers again. */
        cancelled: perLanguage.optional(),
        /** Said when a customer who is not waiting writes only "cancel" (or the like): nothing is waiting. */
        nothing_to_cancel: perLanguage.optional(),
        /** The label of the button that leaves the queue (on channels with buttons). */
        cancel_label: perLanguage.optional(),
        /** A queued ticket nobody claimed within this many minutes is abandoned (the customer is told). */
        abandon_after_minutes: z.number().positive().default(60),
        /** A ticket waiting longer than this many minutes raises an alert to the agents. */
        alert_after_minutes: z.number().positive().default(5),
      })
      .strict(),
    /**
     * The support agents: who speaks which languages and handles which intents (`skills`: intent names, or `*`).
     * Tickets go to the agents with the customer's language and the intent's skill, else to any agent.
     */
    agents: z
      .array(
        z
          .object({
            id: z.string().min(1),
            name: z.string().min(1).optional(),
            languages: z.array(language).default([]),
            skills: z.array(z.string().min(1)).default(['*']),
            /** The agent's user id in Slack (for mentions on cards) and Teams. */
            slack_user: z.string().optional(),
            teams_user: z.string().optional(),
            /** The agent's console password as a hash from `switchboard agent hash-password` (never the password). */
            password_hash: z
              .string()
              .regex(PASSWORD_HASH, { message: 'must be a hash from switchboard agent hash-password (scrypt$…)' })
              .optional(),
          })
          .strict(),
      )
      .default([]),
    /**
     * Small talk the bot answers itself, before the intent model decides (greetings, thanks, goodbyes, "are you a
     * bot?"): a message made only of these phrases and filler words; `fillers`: more filler words per language.
     */
    smalltalk: z
      .object({
        greet: smalltalkKind.optional(),
        thanks: smalltalkKind.optional(),
        bye: smalltalkKind.optional(),
        bot_identity: smalltalkKind.optional(),
        fillers: z.record(language, z.array(z.string().min(1))).optional(),
      })
      .strict()
      .optional(),
    /** After 👎 on an answer: an apology offering a person (default: an English one). */
    feedback: z.object({ sorry: perLanguage.optional() }).strict().optional(),
    clarify: z.object({ prompt: perLanguage }).strict(),
    patterns: z
      .array(z.object({ type: z.string().min(1), pattern: z.string().min(1), flags: z.string().optional() }).strict())
      .default([]),
    /** What the turn log keeps and how outcomes are counted (issue 8). */
    measurement: z
      .object({
        /** Share of automated answers drawn for agents to audit (right / wrong). */
        audit_sample: z.number().min(0).max(1).default(0.1),
        /** A request for a person or the same question again within this many minutes after an automated answer counts against it. */
        escalation_window_minutes: z.number().positive().default(30),
        /** Customer text in the turn log: redacted (default), raw, or none. */
        store_text: z.enum(['redacted', 'raw', 'none']).default('redacted'),
      })
      .strict()
      .default({}),
    /**
     * The server runs the rule recognizers (dates, amounts, numbers…) in a worker thread; a turn waits for them at most
     * `rule_budget_ms` (after its language is known), and an answer whose template needs a missing slot waits up to
     * `slot_wait_ms` more.
     */
    entities: z
      .object({
        rule_budget_ms: z.number().min(0).max(60_000).default(2),
        slot_wait_ms: z.number().min(0).max(60_000).default(1000),
      })
      .strict()
      .default({}),
  })
  .strict()
  .superRefine((c, ctx) => {
    if (!c.languages.includes(c.default_language)) {
      ctx.addIssue({ code: 'custom', path: ['default_language'], message: 'must be one of languages' });
    }
    const need = (path: (string | number)[], texts: Record<string, string>) => {
      for (const l of c.languages)
        if (!texts[l])
          ctx.addIssue({ code: 'custom', path: [...path, l], message: 'required (a configured language)' });
    };
    for (const [intent, texts] of Object.entries(c.answers)) need(['answers', intent], texts);
    need(['handoff', 'message'], c.handoff.message);
    need(['clarify', 'prompt'], c.clarify.prompt);
    for (const kind of ['greet', 'thanks', 'bye', 'bot_identity'] as const) {
      const st = c.smalltalk?.[kind];
      if (st) need(['smalltalk', kind, 'answer'], st.answer);
    }
  });
export type BotConfig = z.infer<typeof BotConfigSchema>;

/** The closest of `known` to a misspelt `key` (edit distance ≤ 2, or ≤ 3 for long keys), if any. */
export function closestKey(key: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = Math.min(3, Math.max(1, Math.floor(key.length / 3)));
  for (const k of known) {
    const d = editDistance(key.toLowerCase(), k.toLowerCase());
    if (d < bestD || (d === bestD && best === undefined)) {
      best = k;
      bestD = d;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++)
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    // A swap of two neighbours ("treshold"/"threshold" is a deletion; "answres"/"answers" a swap) counts once.
    if (i > 1)
      for (let j = 2; j <= b.length; j++)
        if (a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) cur[j] = Math.min(cur[j], prev[j - 2] + 1);
    prev = cur;
  }
  return prev[b.length];
}

/** What a missing top-level key looks like, for the error that says it is required. */
const REQUIRED_EXAMPLES: Readonly<Record<string, string>> = {
  languages: 'languages: [en, es]',
  default_language: 'default_language: en   (one of languages)',
  handoff: `handoff: {message: {en: "I'm passing you to a colleague."}}   (a text per language)`,
  'handoff.message': `message: {en: "I'm passing you to a colleague."}   (a text per language)`,
  clarify: 'clarify: {prompt: {en: "Did you mean:"}}   (a text per language)',
  'clarify.prompt': 'prompt: {en: "Did you mean:"}   (a text per language)',
};

/**
 * Reads and validates a bot config; model paths come back absolute. Errors: `E_CONFIG` naming the file, and for each
 * problem its path and line:column (`answers.card_lost.es: required in answers.card_lost (line 12:5)`); an unknown key
 * is an error, with the key it was probably meant to be (`answrs: unknown key — did you mean "answers"? (line 9:1)`),
 * and a required key missing because it is misspelt names the misspelling (`handoff: required — misspelt as "handof"
 * (line 3:1)?`).
 */
export function readBotConfig(file: string): BotConfig {
  let raw: unknown;
  const lineCounter = new LineCounter();
  let doc: ReturnType<typeof parseDocument>;
  try {
    doc = parseDocument(readFileSync(file, 'utf8'), { lineCounter });
    if (doc.errors.length > 0) throw doc.errors[0];
    raw = doc.toJS();
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why =
      code === 'EISDIR'
        ? `is a directory: give the bot's YAML file, e.g. --config ${join(file, 'bot.yaml')}`
        : code === 'ENOENT'
          ? 'no such file'
          : (e as Error).message;
    throw new SwitchboardError('E_CONFIG', 'input', `${file}: ${why}`, { cause: e });
  }
  const parsed = BotConfigSchema.safeParse(raw);
  if (!parsed.success) {
    // Where a path is: the key's line:column for an unknown key, else the value's (or its nearest parent's).
    const at = (offset: number) => {
      const p = lineCounter.linePos(offset);
      return ` (line ${p.line}:${p.col})`;
    };
    const keyAt = (path: (string | number)[], key: string): string | undefined => {
      const node = path.length === 0 ? doc.contents : doc.getIn(path, true);
      if (!isMap(node)) return undefined;
      const pair = node.items.find((it) => isScalar(it.key) && String(it.key.value) === key);
      const offset = (pair?.key as { range?: [number, number, number] } | undefined)?.range?.[0];
      return offset === undefined ? undefined : at(offset);
    };
    const lineOf = (path: (string | number)[], key?: string): string => {
      if (key !== undefined) {
        const found = keyAt(path, key);
        if (found) return found;
      }
      for (let n = path.length; n >= 0; n--) {
        const node = n === 0 ? doc.contents : doc.getIn(path.slice(0, n), true);
        const offset = (node as { range?: [number, number, number] } | null | undefined)?.range?.[0];
        if (offset !== undefined) return at(offset);
      }
      return '';
    };
    const unknownKeys = parsed.error.issues.flatMap((i) =>
      i.code === 'unrecognized_keys' ? i.keys.map((k) => ({ path: i.path, key: k })) : [],
    );
    const lines = parsed.error.issues.slice(0, 10).flatMap((i) => {
      if (i.code === 'unrecognized_keys') {
        const known = knownKeys(i.path);
        return i.keys.map((k) => {
          const guess = closestKey(k, known);
          const hint = guess ? ` — did you mean "${guess}"?` : known.length ? ` (known keys: ${known.join(', ')})` : '';
          return `  ${[...i.path, k].join('.')}: unknown key${hint}${lineOf(i.path, k)}`;
        });
      }
      const message = i.message === 'Required' ? 'required' : i.message;
      if (message === 'required' && i.path.length > 0) {
        // A required key that is missing because it is misspelt: name the misspelling and where it is.
        const parent = i.path.slice(0, -1);
        const missing = String(i.path.at(-1));
        const typo = unknownKeys.find(
          (u) => u.path.join('.') === parent.join('.') && closestKey(u.key, knownKeys(parent)) === missing,
        );
        if (typo) return [`  ${i.path.join('.')}: required — misspelt as "${typo.key}"${lineOf(parent, typo.key)}?`];
        const inside = parent.length > 0 ? ` in ${parent.join('.')}${lineOf(parent)}` : '';
        const example = REQUIRED_EXAMPLES[i.path.join('.')];
        return [`  ${i.path.join('.')}: required${inside}${example ? ` — e.g. ${example}` : ''}`];
      }
      return [`  ${i.path.join('.') || '(top)'}: ${message}${lineOf(i.path)}`];
    });
    throw new SwitchboardError('E_CONFIG', 'input', `${file} is not a valid bot config:\n${lines.join('\n')}`);
  }
  const config = parsed.data;
  const base = dirname(resolve(file));
  const abs = (p: string | null | undefined) => (typeof p === 'string' ? resolve(base, p) : p);
  config.models = {
    intent: abs(config.models.intent) ?? undefined,
    language: abs(config.models.language),
    ner: abs(config.models.ner),
  };
  return config;
}

/** The keys the schema allows at an object path of the config (numeric steps are array items). */
function knownKeys(path: readonly (string | number)[]): string[] {
  let schema: z.ZodTypeAny = BotConfigSchema;
  const unwrap = (t: z.ZodTypeAny): z.ZodTypeAny => {
    for (;;) {
      if (t instanceof z.ZodEffects) t = t.innerType();
      else if (t instanceof z.ZodDefault) t = t._def.innerType;
      else if (t instanceof z.ZodOptional || t instanceof z.ZodNullable) t = t.unwrap();
      else return t;
    }
  };
  for (const step of path) {
    const t = unwrap(schema);
    if (t instanceof z.ZodObject) schema = (t.shape as Record<string, z.ZodTypeAny>)[String(step)];
    else if (t instanceof z.ZodArray) schema = t.element;
    else if (t instanceof z.ZodRecord) schema = t.valueSchema;
    else return [];
    if (!schema) return [];
  }
  const t = unwrap(schema);
  return t instanceof z.ZodObject ? Object.keys(t.shape) : [];
}

/** Intents named in the config (answers, labels, thresholds) that the intent model does not know. */
export function unknownIntents(config: BotConfig, labels: readonly string[]): string[] {
  const named = [
    ...Object.keys(config.answers),
    ...Object.keys(config.intent_labels),
    ...Object.keys(config.policy.intent_thresholds ?? {}),
    // Agent skills: intent names, or groups written with `*` (`alarm_*`, `*`), which are not checked.
    ...config.agents.flatMap((a) => a.skills.filter((s) => !s.includes('*'))),
  ];
  return [...new Set(named)].filter((i) => !labels.includes(i));
}
