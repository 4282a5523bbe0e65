import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Bot } from '../../../src/bot.ts';
import { DEFAULT_BOT_CONFIG } from '../../../src/nlu/default-model.ts';
import { foldPhrase, PhraseMatcher } from '../../../src/router/phrase-matcher.ts';
import { Smalltalk, smalltalkKind } from '../../../src/router/smalltalk.ts';

const smalltalk = new Smalltalk(
  {
    phrases: {
      greet: { en: ['hello', 'hi', 'good morning'], de: ['hallo', 'guten morgen'], th: ['สวัสดี'], hi: ['नमस्ते'] },
      thanks: { en: ['thanks', 'thank you'], de: ['danke', 'merci'], fr: ['merci'] },
      bye: { en: ['bye'] },
      bot_identity: { en: ['are you a bot', 'am i talking to a human'] },
    },
    fillers: { en: ['folks'] },
  },
  ['en', 'de', 'fr', 'th', 'hi'],
);

describe('foldPhrase', () => {
  it('folds case, Latin accents, punctuation, emoji and repeated letters; keeps Devanagari and Thai marks', () => {
    expect(foldPhrase('Hellooo!!  👋 Grüß Gott')).toBe('helo grus got');
    expect(foldPhrase('¿Qué TAL?')).toBe('que tal');
    expect(foldPhrase('नमस्ते।')).toBe('नमस्ते');
    expect(foldPhrase('สวัสดีครับ')).toBe('สวัสดีครับ');
  });
});

describe('Smalltalk', () => {
  it('recognises whole messages of phrases and fillers, with the kind that answers', () => {
    expect(smalltalk.match('Hello!')).toEqual({ kind: 'greet', language: 'en' });
    expect(smalltalk.match('hi there, good morning folks')).toEqual({ kind: 'greet', language: 'en' });
    expect(smalltalk.match('HIIII')).toEqual({ kind: 'greet', language: 'en' });
    expect(smalltalk.match('hi, thanks, bye')).toMatchObject({ kind: 'bye' });
    expect(smalltalk.match('Am I talking to a human?')).toMatchObject({ kind: 'bot_identity' });
  });

  it('tolerates a typo in a phrase of five letters or more, never in a short one', () => {
    expect(smalltalk.match('thnaks')).toMatchObject({ kind: 'thanks' });
    expect(smalltalk.match('helo')).toMatchObject({ kind: 'greet' }); // repeated letters fold: "hello" is "helo"
    expect(smalltalk.match('ho')).toBeUndefined();
    expect(smalltalk.match('gutn mrogen')).toMatchObject({ kind: 'greet', language: 'de' });
  });

  it('a greeting in front of a question is not small talk; fillers alone are not either', () => {
    expect(smalltalk.match('hi, my card was stolen')).toBeUndefined();
    expect(smalltalk.match('hello can you reset my password')).toBeUndefined();
    expect(smalltalk.match('please')).toBeUndefined();
    expect(smalltalk.match('')).toBeUndefined();
    expect(smalltalk.match(`hi ${'hello '.repeat(40)}`)).toBeUndefined(); // long messages are questions
  });

  it('segments Thai without spaces (particles around a phrase), and Hindi', () => {
    expect(smalltalk.match('สวัสดีครับ')).toEqual({ kind: 'greet', language: 'th' });
    expect(smalltalk.match('สวัสดีค่ะ คุณ')).toEqual({ kind: 'greet', language: 'th' });
    expect(smalltalk.match('สวัสดีครับ ขอเปลี่ยนรหัสผ่าน')).toBeUndefined();
    expect(smalltalk.match('नमस्ते जी')).toEqual({ kind: 'greet', language: 'hi' });
  });

  it('answers in the detected language when the phrase is one of it, else in the phrases own language', () => {
    expect(smalltalk.match('Hallo', 'en')).toEqual({ kind: 'greet', language: 'de' });
    expect(smalltalk.match('merci', 'fr')).toEqual({ kind: 'thanks', language: 'fr' });
    expect(smalltalk.match('merci', 'de')).toEqual({ kind: 'thanks', language: 'de' });
    // A language the bot does not serve is not small talk it answers.
    const enOnly = new Smalltalk({ phrases: { greet: { es: ['hola'] } } }, ['en']);
    expect(enOnly.match('hola')).toBeUndefined();
  });

  it('names small-talk intents apart from model intents', () => {
    expect(smalltalkKind('smalltalk.greet')).toBe('greet');
    expect(smalltalkKind('general_greet')).toBeUndefined();
    expect(smalltalkKind('smalltalk.weather')).toBeUndefined();
  });
});

describe('PhraseMatcher', () => {
  it('matches phrases with several words and fillers of the phrase language', () => {
    const m = new PhraseMatcher({ cancel: { en: ['never mind', 'cancel'], es: ['cancelar'] } });
    expect(m.match('Never mind, please')).toBeDefined();
    expect(m.match('cancelar por favor')?.languages.get('es')).toBe(1);
    expect(m.match('cancel my order')).toBeUndefined();
  });
});

describe('small talk in the demo bot', () => {
  let bot: Bot;
  beforeAll(async () => {
    bot = await Bot.load(DEFAULT_BOT_CONFIG);
  });
  afterAll(async () => bot.release());

  it('the conversation keeps the language of the small talk, whatever the detector said', async () => {
    const r = await bot.respond('Hallo', { locale: 'en-US' });
    expect(r.decision).toMatchObject({ reason: 'smalltalk', language: 'de' });
    expect(r.state.language).toBe('de');
  });
});
