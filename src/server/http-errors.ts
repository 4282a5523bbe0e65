/**
 * How the server answers a request that threw: a database outage is 503 `E_STORE_UNAVAILABLE` (the caller may retry;
 * customer turns never get here, they are spooled), a database whose connections are all busy 503 `E_STORE_BUSY` with
 * Retry-After (a customer turn too: not recorded, the caller sends it again), an {@link HttpError} its own status, anything else 500
 * `E_INTERNAL` (logged with the path, never the body).
 */
import type { ServerResponse } from 'node:http';
import { HttpError, sendJson } from '../http/http-utils.ts';
import type { Logger } from '../log.ts';
import { isBusy, isUnavailable } from '../store/postgres-client.ts';

export function sendError(res: ServerResponse, e: unknown, log: Logger, path: string | undefined): void {
  if (res.headersSent) return void res.end();
  if (isUnavailable(e)) return void sendJson(res, 503, { error: 'E_STORE_UNAVAILABLE', message: (e as Error).message });
  if (isBusy(e)) {
    res.setHeader('Retry-After', '1');
    return void sendJson(res, 503, { error: 'E_STORE_BUSY', message: (e as Error).message });
  }
  const status = e instanceof HttpError ? e.status : 500;
  if (status === 500) log.error('request_failed', { path, message: (e as Error).message });
  sendJson(res, status, { error: status === 500 ? 'E_INTERNAL' : 'E_BAD_REQUEST', message: (e as Error).message });
}
