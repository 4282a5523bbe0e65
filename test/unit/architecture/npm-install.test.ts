import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

/**
 * The first command a new user runs is `npm install`: it must not warn about the project's own configuration, and
 * onnxruntime-node's CUDA download (a nuget.org fetch that fails offline) must stay switched off.
 */
describe('npm configuration', () => {
  it('npm reads the project without an "Unknown project config" warning', () => {
    const r = spawnSync('npm', ['pkg', 'get', 'name'], { encoding: 'utf8', timeout: 60_000 });
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe('"switchboard"');
    expect(r.stderr).not.toMatch(/Unknown (project|user) config/i);
  });

  it('allowScripts runs the native builds and keeps the onnxruntime-node download off', () => {
    const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { allowScripts?: Record<string, boolean> };
    expect(pkg.allowScripts?.['onnxruntime-node']).toBe(false);
    expect(pkg.allowScripts?.['better-sqlite3']).toBe(true);
    const npmrc = readFileSync('.npmrc', 'utf8');
    expect(npmrc).not.toMatch(/onnxruntime/);
  });
});
