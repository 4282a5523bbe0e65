import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const dir = mkdtempSync(join(tmpdir(), 'switchboard-cli-'));
const model = join(dir, 'model');
const data = 'test/fixtures/data';

/** Runs the real `switchboard` bin in a child process. */
function cli(args: string[], input?: string) {
  const r = spawnSync(process.execPath, ['bin/switchboard.js', ...args], { input, encoding: 'utf8', timeout: 280_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('switchboard CLI', () => {
  it('train intent → eval intent --json --report --record → predict, end to end', () => {
    const train = cli([
      'train',
      'intent',
      '--data',
      `${data}/support-train.jsonl`,
      '--valid',
      `${data}/support-valid.jsonl`,
      '--out',
      model,
      '--dim',
      '16',
      '--hidden',
      '32',
      '--epochs',
      '30',
      '--json',
    ]);
    expect(train.stderr).not.toMatch(/switchboard:/);
    expect(train.code).toBe(0);
    const summary = JSON.parse(train.stdout);
    expect(summary.labels).toBe(5);
    for (const f of ['model.onnx', 'features.bin', 'manifest.json', 'MODEL_CARD.md'])
      expect(existsSync(join(model, f))).toBe(true);

    const report = join(dir, 'report.html');
    const ev = cli([
      'eval',
      'intent',
      '--model',
      model,
      '--data',
      `${data}/support-test.jsonl`,
      '--json',
      '--report',
      report,
      '--record',
      'test',
    ]);
    expect(ev.code).toBe(0);
    const metrics = JSON.parse(ev.stdout);
    expect(Object.keys(metrics)).toEqual(
      expect.arrayContaining([
        'n',
        'accuracy',
        'macro_f1',
        'in_scope_accuracy',
        'oos_recall',
        'threshold',
        'per_language',
      ]),
    );
    expect(metrics.n).toBe(10);
    expect(metrics.accuracy).toBeGreaterThanOrEqual(0);
    expect(metrics.accuracy).toBeLessThanOrEqual(1);
    expect(readFileSync(report, 'utf8')).toMatch(/<svg/);
    expect(JSON.parse(readFileSync(join(model, 'manifest.json'), 'utf8')).metrics.test.n).toBe(10);
    expect(readFileSync(join(model, 'MODEL_CARD.md'), 'utf8')).toMatch(/test\.accuracy/);

    const lines = ['i lost my card', '', '👍👍', 'quiero hablar con una persona'];
    const pred = cli(['predict', '--model', model], `${lines.join('\n')}\n`);
    expect(pred.code).toBe(0);
    const out = pred.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(out).toHaveLength(lines.length);
    for (const u of out) {
      expect(u.intents).toHaveLength(5);
      expect(u.intents[0].score).toBeGreaterThanOrEqual(u.intents[1].score);
      expect(u.timings.total_ms).toBeGreaterThanOrEqual(0);
    }
    expect(out[0].intents[0].intent).toBe('card_lost');
  });

  it('names the line of a bad training file and exits non-zero', () => {
    const r = cli(['train', 'intent', '--data', `${data}/bad-mixed.jsonl`, '--out', join(dir, 'bad')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/bad-mixed\.jsonl:\d+/);
    expect(existsSync(join(dir, 'bad'))).toBe(false);
    // --out naming a file is refused before any training.
    const file = join(dir, 'not-a-dir');
    writeFileSync(file, 'x');
    const out = cli(['train', 'intent', '--data', `${data}/shop-bot.jsonl`, '--out', file]);
    expect(out.code).toBe(1);
    expect(out.stderr).toMatch(/--out .*not-a-dir: is a file, not a directory.*E_USAGE/);
    expect(out.stderr).not.toMatch(/search:/);
    // So is a directory that holds another kind of model: training would have replaced it.
    const ner = join(dir, 'ner-copy');
    cpSync('models/ner-en', ner, { recursive: true });
    const kind = cli(['train', 'intent', '--data', `${data}/shop-bot.jsonl`, '--out', ner]);
    expect(kind.code).toBe(1);
    expect(kind.stderr).toMatch(/--out .*ner-copy: holds a ner model, not an intent model.*E_USAGE/);
    expect(kind.stderr).not.toMatch(/search:/);
    expect(readFileSync(join(ner, 'manifest.json'), 'utf8')).toBe(readFileSync('models/ner-en/manifest.json', 'utf8'));
    // Data of out_of_scope rows only: its out-of-scope recall and the threshold, and no in-scope accuracy.
    const offTopic = join(dir, 'off-topic.jsonl');
    writeFileSync(
      offTopic,
      ['tell me a joke', 'what is the meaning of life']
        .map((t) => JSON.stringify({ text: t, intent: 'out_of_scope' }))
        .join('\n'),
    );
    const oosOnly = cli(['eval', 'intent', '--model', 'models/intent-massive', '--data', offTopic, '--json']);
    expect(oosOnly.code, oosOnly.stderr).toBe(0);
    const m = JSON.parse(oosOnly.stdout);
    expect(m).toHaveProperty('oos_recall');
    expect(m).toHaveProperty('threshold');
    expect(m).not.toHaveProperty('in_scope_accuracy');
    expect(cli(['eval', 'intent', '--cv', '3', '--model', model, '--data', file]).stderr).toMatch(
      /--model and --cv do not go together/,
    );
  });

  it('train intent with no shape flags searches, uses the background corpus, and says what it chose', () => {
    const out = join(dir, 'shop');
    const r = cli(['train', 'intent', '--data', `${data}/shop-bot.jsonl`, '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/background: \d+ lines train the out-of-scope class/);
    expect(r.stderr).toMatch(/search: linear: /);
    expect(r.stderr).toMatch(/search: chose /);
    expect(r.stderr).not.toMatch(/search: linear C/);
    expect(r.stdout).toMatch(/saved .*out-of-scope recall \d+\.\d% \(n=\d+\)/);
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
    expect(manifest.calibration.threshold).toBeTypeOf('number');
    expect(manifest.calibration.oos_protection.source).toBe('background');
    // A 5-intent bot: the rule could cost up to 3% of the correct held-out answers (recorded, and said in the card).
    expect(manifest.calibration.oos_protection.max_in_scope_loss).toBe(0.03);
    expect(manifest.training.search.trials.length).toBe(3);
    // The linear member's C: the default, not searched, recorded.
    expect(manifest.training.search.linearC).toMatchObject({ chosen: 1, fixed: false, trials: [] });
    expect(manifest.training.options.linearC).toBe(1);
    const card = readFileSync(join(out, 'MODEL_CARD.md'), 'utf8');
    expect(card).toMatch(/## How the configuration was chosen/);
    expect(card).toMatch(/Linear SVM penalty C = 1 \(the default; not searched\)/);
    expect(card).toMatch(/Tatoeba .*CC BY 2\.0 FR/);
    expect(card).toMatch(/among the rules that cost at most 3% of the correct held-out answers/);
    // Out-of-scope recall on the corpus's evaluation reserve when the data has no out_of_scope rows.
    const ev = cli(['eval', 'intent', '--model', out, '--data', `${data}/shop-bot.jsonl`, '--json']);
    expect(ev.code, ev.stderr).toBe(0);
    const metrics = JSON.parse(ev.stdout);
    expect(metrics.background_rows).toBeGreaterThan(100);
    expect(metrics.background_oos_recall).toBeGreaterThan(0.5);
    // As served: the model's threshold, the share it answers and the share it answers right (≤ top-label accuracy).
    expect(metrics.threshold).toBe(Number(manifest.calibration.threshold.toFixed(6)));
    expect(metrics.answered).toBeGreaterThan(0.5);
    expect(metrics.answered).toBeLessThanOrEqual(1);
    expect(metrics.answered_correctly).toBeLessThanOrEqual(metrics.accuracy);
    expect(metrics.answered_correctly).toBeLessThanOrEqual(metrics.answered);
  }, 180_000);

  it('train intent --no-background warns loudly that out-of-scope protection was not measured', () => {
    const out = join(dir, 'shop-nobg');
    const r = cli([
      'train',
      'intent',
      '--data',
      `${data}/shop-bot.jsonl`,
      '--out',
      out,
      '--no-background',
      '--ensemble',
      '0',
      '--linear-c',
      '0.5',
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/OUT-OF-SCOPE PROTECTION NOT MEASURED/);
    expect(r.stderr).not.toMatch(/search: linear C/);
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
    // --linear-c fixes the penalty: no search.
    expect(manifest.training.options.linearC).toBe(0.5);
    expect(manifest.training.search.linearC).toMatchObject({ chosen: 0.5, fixed: true, trials: [] });
    expect(readFileSync(join(out, 'MODEL_CARD.md'), 'utf8')).toMatch(/penalty C = 0\.5, fixed by `--linear-c`/);
    expect(manifest.calibration.oos_protection).toEqual({ source: 'none', held_out: 0, max_in_scope_loss: 0.03 });
    expect(manifest.calibration.threshold).toBeGreaterThan(0);
    const ev = cli(['eval', 'intent', '--model', out, '--data', `${data}/shop-bot.jsonl`, '--json']);
    expect(ev.code, ev.stderr).toBe(0);
    expect(ev.stderr).toMatch(/out-of-scope recall not measured/);
    expect(JSON.parse(ev.stdout)).not.toHaveProperty('background_oos_recall');
  }, 120_000);

  it('eval intent --cv K cross-validates the default path; a bad --cv or data with one intent is refused', () => {
    const r = cli(['eval', 'intent', '--cv', '3', '--data', `${data}/shop-bot.jsonl`, '--json', '--budget', '30']);
    expect(r.code, r.stderr).toBe(0);
    const cv = JSON.parse(r.stdout);
    expect(cv.k).toBe(3);
    expect(cv.folds).toHaveLength(3);
    expect(cv.accuracy.mean).toBeGreaterThan(0.5);
    expect(cv.accuracy.std).toBeGreaterThanOrEqual(0);
    expect(cv.per_intent).toHaveLength(5);
    expect(cli(['eval', 'intent', '--cv', '1', '--data', `${data}/shop-bot.jsonl`]).stderr).toMatch(
      /cv as an integer ≥ 2/,
    );
    const one = join(dir, 'one-intent.jsonl');
    writeFileSync(
      one,
      Array.from({ length: 6 }, (_, i) => JSON.stringify({ text: `hello ${i}`, intent: 'greet' })).join('\n'),
    );
    const bad = cli(['train', 'intent', '--data', one, '--out', join(dir, 'one')]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/only one intent \('greet'\)/);
  }, 300_000);

  it('refuses a model directory whose checksum does not match', () => {
    const r = cli(['predict', '--model', join(dir, 'missing')], 'hi\n');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/E_MODEL_MISSING/);
  });

  it('explains usage on an unknown command or flag', () => {
    expect(cli(['frobnicate']).code).toBe(2);
    const bare = cli(['train']);
    expect(bare.code).toBe(2);
    expect(bare.stderr).toMatch(/'train' needs a subcommand: 'train intent', 'train ner', 'train language'/);
    const help = cli(['help']).stdout;
    expect(help).not.toMatch(/--no-quantize/);
    expect(help).toMatch(/--cv K/);
    expect(help).toMatch(/--no-background/);
    const r = cli(['eval', 'intent', '--bogus']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/E_USAGE/);
  });

  it('train language → eval language --json --record, and predict fills in the language', () => {
    const out = join(dir, 'language');
    const train = cli([
      'train',
      'language',
      '--data',
      `${data}/language-train.tsv`,
      '--valid',
      `${data}/language-valid.tsv`,
      '--out',
      out,
      '--json',
    ]);
    expect(train.code, train.stderr).toBe(0);
    expect(JSON.parse(train.stdout).languages).toEqual(['de', 'en', 'es']);
    const ev = cli([
      'eval',
      'language',
      '--model',
      out,
      '--data',
      `${data}/language-test.tsv`,
      '--json',
      '--record',
      'fixture',
    ]);
    expect(ev.code, ev.stderr).toBe(0);
    const metrics = JSON.parse(ev.stdout);
    expect(metrics).toMatchObject({ n: 6, accuracy: 1, undetermined: 0 });
    expect(metrics.without_profile_accuracy).toBeGreaterThanOrEqual(0);
    expect(Object.keys(metrics.per_language)).toEqual(['de', 'en', 'es']);
    expect(metrics.by_length['21–40'].n).toBe(6);
    expect(readFileSync(join(out, 'MODEL_CARD.md'), 'utf8')).toMatch(/\| fixture \| 6 \| 100.00% \|/);
    const franc = cli([
      'eval',
      'language',
      '--model',
      'none',
      '--languages',
      'en,es,de',
      '--data',
      `${data}/language-test.tsv`,
      '--json',
    ]);
    expect(franc.code, franc.stderr).toBe(0);
    expect(JSON.parse(franc.stdout).n).toBe(6);
    const bad = cli(['eval', 'language', '--data', `${data}/language-test.tsv`, '--languages', 'en,xx']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/unknown language 'xx'.*\[E_LANGUAGE_UNKNOWN\]/);
    const predict = cli(['predict', '--language-model', out, '--languages', 'en,es,de'], 'wo ist meine karte\n\n');
    expect(predict.code, predict.stderr).toBe(0);
    const [first, blank] = predict.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(first.language.language).toBe('de');
    expect(blank.language).toEqual({ language: 'und', reason: 'empty' });
  });

  it('train ner → eval ner --json --record; predict finds NER, rule and pattern entities', () => {
    const out = join(dir, 'ner');
    const train = cli([
      'train',
      'ner',
      '--data',
      `${data}/ner-train.conll`,
      '--valid',
      `${data}/ner-valid.conll`,
      '--out',
      out,
      '--epochs',
      '6',
      '--json',
    ]);
    expect(train.code, train.stderr).toBe(0);
    expect(JSON.parse(train.stdout).types).toEqual(['LOC', 'ORG', 'PER']);
    const ev = cli(['eval', 'ner', '--model', out, '--data', `${data}/ner-valid.conll`, '--json', '--record', 'valid']);
    expect(ev.code, ev.stderr).toBe(0);
    const m = JSON.parse(ev.stdout);
    expect(m.n).toBe(30);
    expect(m.f1).toBeGreaterThan(0.9);
    expect(Object.keys(m.per_type)).toEqual(['LOC', 'ORG', 'PER']);
    expect(readFileSync(join(out, 'MODEL_CARD.md'), 'utf8')).toMatch(/\| valid \| 30 \|/);
    const bad = cli(['train', 'ner', '--data', `${data}/intents.tsv`, '--out', join(dir, 'bad')]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/intents\.tsv:\d+: unknown tag/);
    const patterns = join(dir, 'patterns.json');
    writeFileSync(patterns, JSON.stringify([{ type: 'order_id', pattern: 'ORD-\\d{6}' }]));
    const predict = cli(
      ['predict', '--ner-model', out, '--patterns', patterns],
      'Anna Schmidt asks about ORD-123456, mail anna@example.com\n',
    );
    expect(predict.code, predict.stderr).toBe(0);
    const u = JSON.parse(predict.stdout);
    expect(u.entities.map((e: { type: string; source: string }) => `${e.type}/${e.source}`)).toEqual([
      'PER/ner',
      'order_id/pattern',
      'email/rule',
    ]);
  });

  it('calibrate writes thresholds for a target precision into the manifest and the card', () => {
    const out = join(dir, 'calibrated');
    const train = cli([
      'train',
      'intent',
      '--data',
      `${data}/support-train.jsonl`,
      '--valid',
      `${data}/support-valid.jsonl`,
      '--out',
      out,
      '--dim',
      '16',
      '--hidden',
      '0',
      '--epochs',
      '5',
      '--json',
    ]);
    expect(train.code, train.stderr).toBe(0);
    const r = cli([
      'calibrate',
      '--model',
      out,
      '--data',
      `${data}/support-valid.jsonl`,
      '--precision',
      '0.9',
      '--json',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const plan = JSON.parse(r.stdout);
    expect(plan.precision_target).toBe(0.9);
    expect(plan.coverage === 0 || plan.precision >= 0.9).toBe(true);
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
    expect(manifest.calibration.threshold).toBeCloseTo(plan.threshold, 5);
    expect(manifest.calibration.target).toMatchObject({ precision: 0.9, data: 'support-valid.jsonl' });
    expect(readFileSync(join(out, 'MODEL_CARD.md'), 'utf8')).toMatch(/switchboard calibrate` for precision 0.9/);
    expect(cli(['calibrate', '--model', out, '--data', `${data}/support-valid.jsonl`, '--precision', '1.5']).code).toBe(
      1,
    );
    // For an expected out-of-scope share (the validation file has out_of_scope rows): recorded in the manifest.
    const shared = cli([
      'calibrate',
      '--model',
      out,
      '--data',
      `${data}/support-valid.jsonl`,
      '--precision',
      '0.9',
      '--oos-share',
      '0.3',
      '--json',
    ]);
    expect(shared.code, shared.stderr).toBe(0);
    expect(JSON.parse(shared.stdout)).toMatchObject({ oos_share: 0.3 });
    expect(JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')).calibration.target.oos_share).toBe(0.3);
    const noOos = cli([
      'calibrate',
      '--model',
      out,
      '--data',
      `${data}/demo-route.jsonl`,
      '--precision',
      '0.9',
      '--oos-share',
      '0.3',
    ]);
    expect(noOos.code).toBe(1);
    expect(noOos.stderr).toMatch(/--oos-share: .*needs both out-of-scope and in-scope rows/);
    const route = cli(['eval', 'route', '--model', out, '--data', `${data}/support-test.jsonl`, '--json']);
    expect(route.code, route.stderr).toBe(0);
    const rm = JSON.parse(route.stdout);
    expect(rm.answered + rm.clarified + rm.handed_off).toBeCloseTo(1, 5);
    expect(rm.automation).toBeCloseTo(rm.answered * rm.precision, 5);
  });

  it('eval route with the demo config: answers what it has answers for, hands off the rest', () => {
    const r = cli(['eval', 'route', '--config', 'config/demo.yaml', '--data', `${data}/demo-route.jsonl`, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const m = JSON.parse(r.stdout);
    expect(m.n).toBe(5);
    expect(m.answered).toBeCloseTo(0.6, 5); // alarm_set, weather_query, alarm_query have answers
    expect(m.precision).toBe(1);
    expect(m.reasons.human_requested).toBe(1);
    expect(m.handed_off).toBeCloseTo(0.4, 5);
  });
});
