import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { bearerToken, decodePathSegment, HttpError } from '../../../src/http/http-utils.ts';
import { hasBearer } from '../../../src/server/bearer-token.ts';

const req = (authorization?: string) => ({ headers: authorization ? { authorization } : {} }) as IncomingMessage;

describe('bearer tokens', () => {
  it('the scheme is case-insensitive (RFC 9110), the token is not', () => {
    for (const h of ['Bearer abc', 'bearer abc', 'BEARER abc', 'bEaReR   abc '])
      expect(bearerToken(req(h))).toBe('abc');
    expect(hasBearer(req('bearer s3cret'), 's3cret')).toBe(true);
    expect(hasBearer(req('Bearer S3CRET'), 's3cret')).toBe(false);
  });

  it('no header, another scheme or no token → none', () => {
    for (const h of [undefined, 'Basic abc', 'Bearer', 'Bearer ', 'Bearerabc', 'Token abc'])
      expect(bearerToken(req(h))).toBeUndefined();
    expect(hasBearer(req('Basic s3cret'), 's3cret')).toBe(false);
  });
});

describe('decodePathSegment', () => {
  it('decodes, and a malformed escape is a 400', () => {
    expect(decodePathSegment('t%201')).toBe('t 1');
    expect(() => decodePathSegment('%E0%A4%A')).toThrow(HttpError);
    try {
      decodePathSegment('%E0%A4%A');
    } catch (e) {
      expect((e as HttpError).status).toBe(400);
    }
  });
});
