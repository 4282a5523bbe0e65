/**
 * The layers of src/ and the direction imports may take (checked by `npm run lint`; docs/architecture.md draws them).
 * From the bottom up, each layer may import only the ones below it:
 *
 *   base      util/, errors.ts, error-codes.ts, log.ts, http/ (small helpers with no knowledge of the product)
 *   nlu       nlu/ (understanding a text), config/ (bot.yaml and the environment), router/, responses/
 *   core      turn.ts, channel-sender.ts (what every channel produces and is asked to do)
 *   store     store/ (conversations, the SQL clients, the turn spool)
 *   handoff   handoff/ (tickets, the service, the agents' desk)
 *   metrics   metrics/ (turn log, automation rate, Prometheus)
 *   pipeline  bot.ts, turn-handler.ts, turn-intake.ts (the durable inbox at the door)
 *   adapters  adapters/ (one folder per channel; the registry lists them)
 *   server    server/ (the composition root and the HTTP routes)
 *   cli       cli/ (commands; may use anything)
 *
 * Offline code sits beside the serving stack: eval/ (metrics, calibration) may use the nlu layer and base; train/ may
 * use eval/ too. Serving code never imports train/ or eval/. A channel never imports another channel, and the server
 * reaches the channels only through the registry and the mount contract. No cycles anywhere.
 */
const LAYERS = [
  ['base', '^src/(util/|http/|errors\\.ts$|error-codes\\.ts$|log\\.ts$)'],
  ['nlu', '^src/(nlu|config|router|responses)/'],
  ['core', '^src/(turn|channel-sender)\\.ts$'],
  ['store', '^src/store/'],
  ['handoff', '^src/handoff/'],
  ['metrics', '^src/metrics/'],
  ['pipeline', '^src/(bot|turn-handler|turn-intake)\\.ts$'],
  ['adapters', '^src/adapters/'],
  ['server', '^src/server/'],
  ['cli', '^src/cli/'],
];

/** One rule per layer: nothing in it imports a layer above it. */
const upward = LAYERS.slice(0, -1).map(([name, path], i) => ({
  name: `no-upward-from-${name}`,
  comment: `the ${name} layer imports only layers below it (see the top of .dependency-cruiser.cjs)`,
  severity: 'error',
  from: { path },
  to: { path: LAYERS.slice(i + 1).map(([, p]) => `(${p})`) },
}));

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'modules must not import each other, directly or through others',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
    ...upward,
    {
      name: 'serving-not-training',
      comment: 'the server, the bot and everything they use never import training or offline evaluation code',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/(cli|train|eval)/' },
      to: { path: '^src/(train|eval)/' },
    },
    {
      name: 'eval-not-train',
      comment: 'evaluation measures models; training may use it, not the other way round',
      severity: 'error',
      from: { path: '^src/eval/' },
      to: { path: '^src/train/' },
    },
    {
      name: 'offline-not-serving',
      comment: 'train/ and eval/ use the nlu layer and base only, never the server stack',
      severity: 'error',
      from: { path: '^src/(train|eval)/' },
      to: { path: '^src/(store|handoff|metrics|adapters|server|cli)/|^src/(bot|turn-handler)\\.ts$' },
    },
    {
      name: 'channels-apart',
      comment: 'a channel never imports another channel (shared code lives in adapters/ or lower)',
      severity: 'error',
      from: { path: '^src/adapters/([^/]+)/' },
      to: { path: '^src/adapters/[^/]+/', pathNot: '^src/adapters/$1/' },
    },
    {
      name: 'server-through-registry',
      comment: 'the server reaches channels only through the registry and the mount contract',
      severity: 'error',
      from: { path: '^src/server/' },
      to: { path: '^src/adapters/[^/]+/' },
    },
    {
      name: 'no-orphan-test-imports',
      comment: 'src never imports test code',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^(test|bench)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|models|docs)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.mjs', '.js', '.json'] },
  },
};
