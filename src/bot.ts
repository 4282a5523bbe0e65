/**
 * The bot: bot.yaml + the NLU + the router + replies. One turn: analyze → decide → render. Channels (Slack, Teams,
 * web chat) and the handoff queue call `respond`; conversation state (clarifications, sticky language) is passed in
 * and returned, so the store that keeps it stays outside.
 */
import { type BotConfig, readBotConfig, unknownIntents } from './config/bot-config.ts';
import { SwitchboardError } from './errors.ts';
import { Nlu } from './nlu/analyze.ts';
import { DEFAULT_INTENT_MODEL_DIR } from './nlu/default-model.ts';
import { IntentClassifier } from './nlu/intent/intent-classifier.ts';
import { oosProtectionProblem } from './nlu/intent/intent-manifest.ts';
import type { LanguageHints } from './nlu/language/language-detection.ts';
import { baseLanguage } from './nlu/language/languages.ts';
import type { Understanding } from './nlu/understanding.ts';
import { type Reply, renderReply } from './responses/render-reply.ts';
import { type ConversationState, decide } from './router/decide.ts';
import type { Decision } from './router/decision.ts';
import { type Policy, PolicySchema } from './router/policy.ts';
import { SMALLTALK_KINDS, Smalltalk } from './router/smalltalk.ts';
import { within } from './util/within.ts';

export interface TurnResult {
  understanding: Understanding;
  decision: Decision;
  reply: Reply;
  /** The conversation state after this turn. */
  state: ConversationState & { language?: string };
  /** Set when rule entities missed the turn's budget (`understanding.pending`): the understanding with all of them. */
  late?: Promise<Understanding>;
}

export interface BotOverrides {
  now?: () => Date;
  /** Use this intent model instead of the config's. */
  intentModelDir?: string;
  /** Treat every intent as answered (offline routing evaluation of a model without a config). */
  answerAll?: boolean;
  /**
   * Run the rule recognizers in a worker thread with the config's `entities.rule_budget_ms` (what `switchboard start`
   * does); off: inline, every turn gets every entity (the CLI, evaluations, tests).
   */
  ruleThread?: boolean;
}

/** What a model reload did (`POST /api/admin/models/reload`). */
export interface ModelReload {
  /** Versions (first 12 hex digits of the ONNX file's sha256) before and after. */
  previous: string;
  current: string;
  /** The answer thresholds now in force, and where each comes from ({@link Bot.thresholdLines}). */
  thresholds: string[];
  /** The new model's out-of-scope protection is weak or was not measured. */
  warning?: string;
}

export class Bot {
  private constructor(
    readonly config: BotConfig,
    readonly nlu: Nlu,
    /** The routing policy: the config's, else the model's calibrated thresholds (recomputed on a model reload). */
    public policy: Policy,
    private readonly answerAll: boolean,
    /** Where the intent model was loaded from (a reload without a directory reads it again). */
    public intentModelDir?: string,
  ) {
    this.smalltalk = smalltalkOf(config);
  }

  /** The config's small talk (undefined without a `smalltalk` section). */
  private readonly smalltalk: Smalltalk | undefined;

  /** Loads a bot config and its models; unknown intents in the config fail here, with their names. */
  static async load(configFile: string, overrides: BotOverrides = {}): Promise<Bot> {
    return Bot.fromConfig(readBotConfig(configFile), overrides, configFile);
  }

  /** A bot from a config object (`source` names it in errors). */
  static async fromConfig(config: BotConfig, overrides: BotOverrides = {}, source = 'bot config'): Promise<Bot> {
    const nlu = await Nlu.load({
      intentModelDir: overrides.intentModelDir ?? config.models.intent,
      languageProfileDir: config.models.language,
      nerModelDir: config.models.ner,
      languages: config.languages,
      patterns: config.patterns,
      now: overrides.now,
      ruleThread: overrides.ruleThread ? { budgetMs: config.entities.rule_budget_ms } : undefined,
    });
    const unknown = unknownIntents(config, nlu.intents.labels);
    if (unknown.length > 0) {
      await nlu.release();
      throw new SwitchboardError(
        'E_CONFIG',
        'input',
        `${source}: intents the model does not know: ${unknown.join(', ')}`,
      );
    }
    const policy = policyFor(config, nlu.intents);
    return new Bot(
      config,
      nlu,
      policy,
      overrides.answerAll ?? false,
      overrides.intentModelDir ?? config.models.intent ?? DEFAULT_INTENT_MODEL_DIR,
    );
  }

  /**
   * Which answer thresholds apply and where each comes from — the config's `policy` (an override) or the model's
   * calibration (`switchboard calibrate`) — as lines for the start banner; a config value that hides a calibrated one
   * says so.
   *
   * @example bot.thresholdLines('bot.yaml') // ['answer threshold 0.6 — bot.yaml policy.threshold, overriding the model's calibrated 0.42', …]
   */
  thresholdLines(configName = 'the config'): string[] {
    return describeThresholds(this.config, this.nlu.intents.manifest.calibration, configName);
  }

  /** The intent model's version: the first 12 hex digits of its ONNX file's sha256 (recorded with every turn). */
  get modelVersion(): string {
    return this.nlu.intents.manifest.onnx.sha256.slice(0, 12);
  }

  /** Does the config hold an answer for `intent` in `language`? (Every intent, with `answerAll`.) */
  hasAnswer = (intent: string, language: string): boolean =>
    this.answerAll || Boolean(this.config.answers[intent]?.[language]);

  /** One customer turn. `state` is the conversation's so far (fresh: `{ clarifications: 0 }`). */
  async respond(
    text: string,
    hints: LanguageHints = {},
    state: ConversationState & { language?: string } = { clarifications: 0 },
  ): Promise<TurnResult> {
    const turn = await this.nlu.analyzeTurn(text, { previous: state.language, ...hints });
    let { understanding } = turn;
    const smalltalk = this.smalltalk;
    const decision = decide(text, understanding, this.policy, state, {
      hasAnswer: this.hasAnswer,
      ...(smalltalk ? { smalltalk: (t: string, detected?: string) => smalltalk.match(t, detected) } : {}),
    });
    let reply = renderReply(decision, understanding, this.config);
    // An answer whose template needs an entity the rule thread has not delivered yet waits for it (bounded).
    if (turn.late && decision.kind === 'answer' && decision.intent) {
      const template = Object.values(this.config.answers[decision.intent] ?? {}).join(' ');
      const slots = [...template.matchAll(/\{([\w-]+)\}/g)].map((m) => m[1]);
      if (slots.some((type) => !understanding.entities.some((e) => e.type === type))) {
        const complete = await within(turn.late, this.config.entities.slot_wait_ms);
        if (complete) {
          understanding = complete;
          reply = renderReply(decision, understanding, this.config);
        }
      }
    }
    const detected = understanding.language?.language;
    return {
      understanding,
      decision,
      reply,
      ...(understanding.pending ? { late: turn.late } : {}),
      state: {
        clarifications: decision.kind === 'clarify' ? state.clarifications + 1 : 0,
        // Small talk names its language better than a detector can on one word ("Hallo"): the conversation keeps it.
        language:
          decision.reason === 'smalltalk'
            ? decision.language
            : detected && detected !== 'und'
              ? detected
              : state.language,
      },
    };
  }

  /**
   * Replaces the intent model without a restart (`POST /api/admin/models/reload`). The new model must load (checksums
   * verified), know every intent the config names, and classify a probe; otherwise this throws and the old model keeps
   * serving. The old one is released after `graceMs`, when turns that started with it are done. Returns both versions,
   * the answer thresholds now in force and, when the new model's out-of-scope protection is weak or was not measured,
   * the warning `start` would print.
   */
  async reloadIntentModel(dir?: string, graceMs = 5000): Promise<ModelReload> {
    const source = dir ?? this.intentModelDir;
    if (!source) throw new SwitchboardError('E_RELOAD', 'input', 'no intent model directory to reload from');
    const next = await IntentClassifier.load(source);
    try {
      const unknown = unknownIntents(this.config, next.labels);
      if (unknown.length > 0)
        throw new SwitchboardError(
          'E_RELOAD',
          'input',
          `${source}: intents the config names are missing: ${unknown.join(', ')}`,
        );
      const probe = await next.classifyOne('hello');
      if (!Array.isArray(probe) || probe.length !== next.labels.length || probe.some((g) => !Number.isFinite(g.score)))
        throw new SwitchboardError('E_RELOAD', 'input', `${source}: the model does not classify a probe message`);
    } catch (e) {
      await next.release();
      throw e;
    }
    const previous = this.modelVersion;
    const old = this.nlu.swapIntents(next);
    this.policy = policyFor(this.config, next);
    this.intentModelDir = source;
    setTimeout(() => void old.release().catch(() => {}), graceMs).unref();
    const warning = oosProtectionProblem(next.manifest);
    return { previous, current: this.modelVersion, thresholds: this.thresholdLines(), ...(warning ? { warning } : {}) };
  }

  /**
   * The bot's greeting for a conversation it was just added to: the config's small-talk greeting (else its
   * `general_greet` answer) in the language of `locale` when the bot speaks it, else in its default language;
   * undefined when the config has none.
   *
   * @example bot.welcome('de-AT') // the German greeting, when the config has one
   */
  welcome(locale: string | undefined): string | undefined {
    const greet = this.config.smalltalk?.greet?.answer ?? this.config.answers.general_greet;
    const language = baseLanguage(locale);
    return (language && greet?.[language]) || greet?.[this.config.default_language];
  }

  async release(): Promise<void> {
    await this.nlu.release();
  }
}

/** A threshold as people read it (0.551912248134613 → 0.552). */
const round = (t: number) => Number(t.toFixed(3));

/** See {@link Bot.thresholdLines}. */
export function describeThresholds(
  config: BotConfig,
  calibration: { threshold?: number; thresholds?: Record<string, number>; target?: { precision: number } },
  configName: string,
): string[] {
  const target = calibration.target ? ` for precision ${calibration.target.precision}` : '';
  const global = config.policy.threshold;
  const calibrated = calibration.threshold;
  const lines: string[] = [];
  // A calibrated threshold of 0 answers every message: keeping an override then is the right advice, not deleting it.
  const advice =
    calibrated !== undefined && calibrated > 0
      ? ' (delete policy.threshold to use it)'
      : ' (which answers every message: keep the override, or run switchboard calibrate)';
  if (global !== undefined)
    lines.push(
      `answer threshold ${round(global)} — ${configName} policy.threshold` +
        (calibrated !== undefined && calibrated !== global
          ? `, overriding the model's calibrated ${round(calibrated)}${target}${advice}`
          : ''),
    );
  else if (calibrated !== undefined)
    lines.push(`answer threshold ${round(calibrated)} — the intent model's calibration${target}`);
  else
    lines.push('answer threshold 0.5 — the default (the model has no calibrated threshold: run switchboard calibrate)');
  const own = config.policy.intent_thresholds;
  const modelOwn = calibration.thresholds ?? {};
  if (own) {
    const hidden = Object.keys(modelOwn).length;
    lines.push(
      `per-intent thresholds: ${Object.keys(own).length} from ${configName} policy.intent_thresholds` +
        (hidden > 0 ? `, replacing the model's ${hidden} calibrated ones` : ''),
    );
  } else if (Object.keys(modelOwn).length > 0) {
    const list = Object.entries(modelOwn)
      .slice(0, 6)
      .map(([intent, t]) => `${intent} ${round(t)}`)
      .join(', ');
    const more = Object.keys(modelOwn).length > 6 ? ', …' : '';
    lines.push(
      `per-intent thresholds: ${Object.keys(modelOwn).length} from the intent model's calibration (${list}${more})` +
        (global !== undefined ? `; they apply to those intents instead of ${configName}'s policy.threshold` : ''),
    );
  }
  return lines;
}

/** The small-talk recogniser of a config, if it has a `smalltalk` section with a kind. */
function smalltalkOf(config: BotConfig): Smalltalk | undefined {
  const section = config.smalltalk;
  if (!section || !SMALLTALK_KINDS.some((k) => section[k])) return undefined;
  const phrases = Object.fromEntries(SMALLTALK_KINDS.flatMap((k) => (section[k] ? [[k, section[k].phrases]] : [])));
  return new Smalltalk({ phrases, fillers: section.fillers }, config.languages);
}

/**
 * The answer thresholds a bot serves with: the config's `policy` when it sets them, else the model's calibration
 * (`switchboard calibrate` writes per-intent ones), else 0.5.
 * @example answerThresholds(config.policy, clf.manifest.calibration) // { threshold: 0.42, intent_thresholds: {} }
 */
export function answerThresholds(
  policy: BotConfig['policy'] | undefined,
  calibration: IntentClassifier['manifest']['calibration'],
): Pick<Policy, 'threshold' | 'intent_thresholds'> {
  return {
    threshold: policy?.threshold ?? calibration.threshold ?? 0.5,
    intent_thresholds: policy?.intent_thresholds ?? calibration.thresholds ?? {},
  };
}

/** The routing policy of a config with a model: thresholds from the config, else the model's calibration. */
function policyFor(config: BotConfig, intents: IntentClassifier): Policy {
  return PolicySchema.parse({
    ...answerThresholds(config.policy, intents.manifest.calibration),
    clarify_margin: config.policy.clarify_margin,
    clarify_choices: config.policy.clarify_choices,
    max_clarifications: config.policy.max_clarifications,
    out_of_scope_intents: config.policy.out_of_scope_intents,
    languages: config.languages,
    default_language: config.default_language,
  });
}
