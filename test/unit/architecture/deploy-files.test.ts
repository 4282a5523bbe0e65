import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

// The files docs/deploy.md ships (the nginx configuration has its own test with a real nginx:
// test/integration/deploy-nginx.test.ts).
const SYSTEMD_ANALYZE = ['/usr/bin/systemd-analyze', '/bin/systemd-analyze'].find((p) => existsSync(p));

/** Every .ts file under `dir`, read. */
function sources(dir: string): string {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts'))
    .map((f) => readFileSync(join(dir, f), 'utf8'))
    .join('\n');
}

describe('docs/deploy', () => {
  it.skipIf(!SYSTEMD_ANALYZE)(
    'switchboard.service passes systemd-analyze verify (no unknown key, no missing program)',
    () => {
      const r = spawnSync(SYSTEMD_ANALYZE as string, ['verify', 'docs/deploy/switchboard.service'], {
        encoding: 'utf8',
      });
      expect(r.stderr.trim()).toBe('');
      expect(r.status).toBe(0);
    },
  );

  it('switchboard.env names only variables switchboard reads, and the unit loads it', () => {
    const src = sources('src');
    const names = readFileSync('docs/deploy/switchboard.env', 'utf8')
      .split('\n')
      .map((l) => /^#?([A-Za-z][A-Za-z_]*)=/.exec(l)?.[1])
      .filter((n): n is string => n !== undefined);
    expect(names.length).toBeGreaterThan(8);
    for (const name of names) expect({ name, read: src.includes(name) }).toEqual({ name, read: true });
    expect(readFileSync('docs/deploy/switchboard.service', 'utf8')).toContain(
      'EnvironmentFile=/etc/switchboard/switchboard.env',
    );
  });
});
