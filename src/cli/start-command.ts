import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { DEFAULT_INTENT_MODEL_DIR } from '../nlu/default-model.ts';
import { IntentClassifier } from '../nlu/intent/intent-classifier.ts';
import type { Understanding } from '../nlu/understanding.ts';
import { parseCommandArgs } from './cli-args.ts';

/** Largest accepted request body (bytes). */
const MAX_BODY = 64 * 1024;

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(body));
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw Object.assign(new Error(`body over ${MAX_BODY} bytes`), { status: 413 });
    chunks.push(chunk as Buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw Object.assign(new Error('body is not valid JSON'), { status: 400 });
  }
}

/**
 * `switchboard start [--model DIR]`: the HTTP server on `HOST:PORT` (default 127.0.0.1:3978). In this release it serves the intent
 * engine: `GET /healthz` and `POST /api/nlu/parse {text}` → `{understanding}`. Channels, routing and handoff mount on
 * the same server as they land.
 */
export async function startCommand(args: string[]): Promise<number> {
  const { values } = parseCommandArgs(args, { model: { type: 'string' } }, 'start');
  const modelDir = values.model ?? DEFAULT_INTENT_MODEL_DIR;
  const clf = await IntentClassifier.load(modelDir);
  const port = Number(process.env.PORT ?? 3978);
  const server = createServer(async (req, res) => {
    try {
      if (req.method === 'GET' && req.url === '/healthz') return send(res, 200, { ok: true, model: modelDir });
      if (req.method === 'POST' && req.url === '/api/nlu/parse') {
        const body = (await readJson(req)) as { text?: unknown };
        if (typeof body?.text !== 'string')
          return send(res, 400, { error: 'E_BAD_REQUEST', message: 'text must be a string' });
        const t0 = performance.now();
        const intents = await clf.classifyOne(body.text);
        const total = performance.now() - t0;
        const understanding: Understanding = {
          languages: [],
          intents,
          entities: [],
          timings: { language_ms: 0, intent_ms: total, entities_ms: 0, total_ms: total },
        };
        return send(res, 200, { understanding });
      }
      send(res, 404, { error: 'E_NOT_FOUND', message: `${req.method} ${req.url?.split('?')[0]} is not served` });
    } catch (e) {
      const status = (e as { status?: number }).status ?? 500;
      send(res, status, { error: status === 500 ? 'E_INTERNAL' : 'E_BAD_REQUEST', message: (e as Error).message });
    }
  });
  // Loopback unless HOST says otherwise (HOST=0.0.0.0 to accept traffic from other machines).
  const host = process.env.HOST ?? '127.0.0.1';
  await new Promise<void>((resolve) => server.listen(port, host, resolve));
  const bound = (server.address() as { port: number }).port;
  process.stderr.write(`switchboard listening on http://localhost:${bound} (model ${modelDir})\n`);
  await new Promise<void>((resolve) => {
    const stop = () => server.close(() => resolve());
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await clf.release();
  return 0;
}
