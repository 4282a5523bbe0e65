import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { clientOf } from '../../../../src/adapters/web/stream-limits.ts';
import { readWebEnv } from '../../../../src/adapters/web/web-env.ts';

const req = (remoteAddress: string, forwarded?: string) =>
  ({ socket: { remoteAddress }, headers: forwarded ? { 'x-forwarded-for': forwarded } : {} }) as IncomingMessage;

describe('clientOf: who a web chat stream counts against', () => {
  it('ignores X-Forwarded-For from a peer that is not a trusted proxy (anyone can write it)', () => {
    expect(clientOf(req('203.0.113.7', '198.51.100.1'))).toBe('203.0.113.7');
    expect(clientOf(req('::ffff:203.0.113.7', '198.51.100.1'), new Set(['127.0.0.1']))).toBe('203.0.113.7');
  });

  it('behind a trusted proxy, the nearest forwarded address that is not a proxy', () => {
    const proxies = new Set(['127.0.0.1', '10.0.0.5']);
    expect(clientOf(req('127.0.0.1', '198.51.100.1'), proxies)).toBe('198.51.100.1');
    // A customer who writes their own header cannot choose whom they count as: the proxy appends the real peer.
    expect(clientOf(req('127.0.0.1', '1.2.3.4, 198.51.100.1'), proxies)).toBe('198.51.100.1');
    expect(clientOf(req('::ffff:127.0.0.1', '198.51.100.1, 10.0.0.5'), proxies)).toBe('198.51.100.1');
    expect(clientOf(req('127.0.0.1'), proxies)).toBe('127.0.0.1');
  });

  it('SWITCHBOARD_TRUSTED_PROXIES must be IP addresses', () => {
    expect([...readWebEnv({ SWITCHBOARD_TRUSTED_PROXIES: '127.0.0.1, ::1' }).trustedProxies]).toEqual([
      '127.0.0.1',
      '::1',
    ]);
    expect(() => readWebEnv({ SWITCHBOARD_TRUSTED_PROXIES: 'nginx.local' })).toThrow(/SWITCHBOARD_TRUSTED_PROXIES/);
  });
});
