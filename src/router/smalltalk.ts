/**
 * Small talk: greetings, thanks, goodbyes and "are you a bot?", answered by the bot itself from the phrases and answers
 * in bot.yaml (`smalltalk:`), whatever the intent model makes of such short messages. A message is small talk only when
 * all of it is (see {@link PhraseMatcher}): "hallo!" is, "hallo, meine Karte wurde gestohlen" is a question.
 *
 * The answer's language: the detected one when the message's phrases belong to it, else the language most of its
 * phrases belong to (a one-word greeting says more about its language than a language detector can), among the bot's
 * languages only.
 */
import { type PhraseMatch, PhraseMatcher, type PhraseTable } from './phrase-matcher.ts';

/** The kinds of small talk, in the order a message with several is answered ("hi, thanks, bye" says bye). */
export const SMALLTALK_KINDS = ['bot_identity', 'bye', 'thanks', 'greet'] as const;
export type SmalltalkKind = (typeof SMALLTALK_KINDS)[number];

/** The intent name small talk is logged under (`smalltalk.greet`): never a model's intent (those are `\w+`). */
export const smalltalkIntent = (kind: SmalltalkKind) => `smalltalk.${kind}`;

/** The kind of a small-talk intent name, else undefined. */
export function smalltalkKind(intent: string | undefined): SmalltalkKind | undefined {
  const kind = intent?.startsWith('smalltalk.') ? intent.slice('smalltalk.'.length) : undefined;
  return (SMALLTALK_KINDS as readonly string[]).includes(kind ?? '') ? (kind as SmalltalkKind) : undefined;
}

/** What recognising small talk needs: phrases per kind and language, extra filler words per language. */
export interface SmalltalkPhrases {
  phrases: PhraseTable<SmalltalkKind>;
  fillers?: Record<string, readonly string[]>;
}

export interface SmalltalkHit {
  kind: SmalltalkKind;
  language: string;
}

/** Recognises small talk in one message. */
export class Smalltalk {
  private readonly matcher: PhraseMatcher<SmalltalkKind>;

  constructor(
    phrases: SmalltalkPhrases,
    /** The bot's languages: an answer is given only in one of them. */
    private readonly languages: readonly string[],
  ) {
    this.matcher = new PhraseMatcher(phrases.phrases, phrases.fillers ?? {});
  }

  /**
   * The small talk `text` is, with the language to answer in (`detected`: the language detector's verdict, preferred
   * when the phrases fit it); undefined for anything else.
   *
   * @example smalltalk.match('Hallo!', 'en') // { kind: 'greet', language: 'de' }
   */
  match(text: string, detected?: string): SmalltalkHit | undefined {
    const m = this.matcher.match(text);
    if (!m) return undefined;
    const language = this.pickLanguage(m, detected);
    if (!language) return undefined;
    const kind = SMALLTALK_KINDS.find((k) => m.kinds.includes(k)) as SmalltalkKind;
    return { kind, language };
  }

  private pickLanguage(m: PhraseMatch<SmalltalkKind>, detected: string | undefined): string | undefined {
    const served = [...m.languages].filter(([l]) => this.languages.includes(l));
    if (served.length === 0) return undefined;
    if (detected && served.some(([l]) => l === detected)) return detected;
    // Most phrases first; a tie goes to the bot's earlier language.
    served.sort((a, b) => b[1] - a[1] || this.languages.indexOf(a[0]) - this.languages.indexOf(b[0]));
    return served[0][0];
  }
}
