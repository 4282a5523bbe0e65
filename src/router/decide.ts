/**
 * The router: a pure function of (turn text, Understanding, policy, conversation state) → Decision. No I/O, no clock,
 * no randomness, so every rule below is tested exhaustively (test/unit/router/decide.test.ts).
 *
 * In order:
 * 0. the whole message is small talk the bot knows (a greeting, thanks, a goodbye, "are you a bot?": see smalltalk.ts)
 *    → answer `smalltalk` (before the request for a person: "are you a human?" is a question about the bot);
 * 1. a stage of the NLU failed → handoff `nlu_error`;
 * 2. the customer asks for a person → handoff `human_requested`;
 * 3. the language is not one the bot serves (a script none of its languages uses) → handoff `unsupported_language`;
 * 4. the best intent is out of scope → handoff `out_of_scope`;
 * 5. the best intent clears its threshold and the runner-up is not within the clarify margin → answer `confident`
 *    (or handoff `no_answer` when nothing is configured to say);
 * 6. the top intents are close, the two best answerable ones together clear the threshold and no out-of-scope intent
 *    scores as high as the second of them (a message the model half takes for off-topic is not a choice between
 *    two intents) → clarify `close_scores`, unless the conversation already used its clarifications → handoff `second_miss` (when they are
 *    close but there is nothing to offer, a top intent that clears its threshold is answered);
 * 7. otherwise → handoff `low_confidence` (`second_miss` when a clarification was already asked).
 */
import type { Understanding } from '../nlu/understanding.ts';
import type { Decision } from './decision.ts';
import { asksForHuman } from './human-request.ts';
import { type Policy, thresholdFor } from './policy.ts';
import { type SmalltalkHit, smalltalkIntent } from './smalltalk.ts';

/** What the router knows of the conversation so far. */
export interface ConversationState {
  /** Clarifications asked in this conversation since the last answer. */
  clarifications: number;
}

/** What the router needs from the rest of the bot. */
export interface RouterContext {
  /** Does the bot have an answer for this intent in this language? */
  hasAnswer: (intent: string, language: string) => boolean;
  /** The small talk the text is, with the language to answer in (`detected`: the detector's verdict), if any. */
  smalltalk?: (text: string, detected: string | undefined) => SmalltalkHit | undefined;
}

/** Decides what to do with one turn. */
export function decide(
  text: string,
  u: Understanding,
  policy: Policy,
  state: ConversationState,
  context: RouterContext,
): Decision {
  const detected = u.language?.language ?? u.languages[0]?.language ?? 'und';
  const language = policy.languages.includes(detected) ? detected : policy.default_language;
  const top = u.intents[0];
  const guess = top ? { intent: top.intent, score: top.score } : {};
  const handoff = (reason: Decision['reason']): Decision => ({ kind: 'handoff', reason, language, ...guess });

  const small = context.smalltalk?.(text, detected === 'und' ? undefined : detected);
  if (small)
    return { kind: 'answer', reason: 'smalltalk', intent: smalltalkIntent(small.kind), language: small.language };
  if (u.errors && u.errors.length > 0) return handoff('nlu_error');
  if (asksForHuman(text, language)) return handoff('human_requested');
  if (u.language?.reason === 'unsupported_script' || (detected !== 'und' && !policy.languages.includes(detected))) {
    return handoff('unsupported_language');
  }
  if (!top) return handoff('nlu_error');
  if (policy.out_of_scope_intents.includes(top.intent)) return handoff('out_of_scope');

  const confident = top.score >= thresholdFor(policy, top.intent);
  const answer = (): Decision =>
    context.hasAnswer(top.intent, language)
      ? { kind: 'answer', reason: 'confident', language, ...guess }
      : handoff('no_answer');
  const second = u.intents.find((g, i) => i > 0 && !policy.out_of_scope_intents.includes(g.intent));
  const close = second !== undefined && top.score - second.score < policy.clarify_margin;
  if (confident && !close) return answer();
  // A miss after a clarification was already asked goes to a person (Rasa's two-stage fallback).
  const missed = (): Decision => handoff(state.clarifications > 0 ? 'second_miss' : 'low_confidence');
  if (close) {
    const choices = u.intents
      .filter((g) => !policy.out_of_scope_intents.includes(g.intent) && context.hasAnswer(g.intent, language))
      .slice(0, policy.clarify_choices);
    const mass = choices.slice(0, 2).reduce((a, g) => a + g.score, 0);
    const oos = u.intents.find((g) => policy.out_of_scope_intents.includes(g.intent));
    const offTopic = oos !== undefined && choices.length >= 2 && oos.score >= choices[1].score;
    if (choices.length >= 2 && mass >= policy.threshold && !offTopic) {
      if (state.clarifications >= policy.max_clarifications) return handoff('second_miss');
      return { kind: 'clarify', reason: 'close_scores', language, choices, ...guess };
    }
    if (confident) return answer(); // nothing to offer instead: the top intent stands
  }
  return missed();
}
