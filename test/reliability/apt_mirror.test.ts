// scripts/apt-mirror.sh, which system-deps.sh uses to add the backports suite from the archive apt already uses
// (a corporate mirror, a proxy, an offline cache) instead of a hard-coded address: deb822 and one-line sources,
// keyrings, disabled entries and security archives skipped, nothing printed when no source names the suite.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const script = join(__dirname, '../../scripts/apt-mirror.sh');

function mirror(files: Record<string, string>, suite = 'bookworm'): string {
  const dir = mkdtempSync(join(tmpdir(), 'apt-'));
  mkdirSync(join(dir, 'sources.list.d'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  const r = spawnSync('bash', [script, suite, dir], { encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout;
}

describe('apt-mirror.sh', () => {
  it('reads a deb822 source: its URIs and keyring, skipping security, disabled and other suites', () => {
    const sources = [
      'Types: deb\nURIs: http://mirror.example/debian-security\nSuites: bookworm-security\nComponents: main\n',
      'Types: deb\nURIs: http://old.example/debian\nSuites: bookworm\nComponents: main\nEnabled: no\n',
      '# a comment\nTypes: deb deb-src\nURIs: https://proxy.corp.example/debian\nSuites: bookworm bookworm-updates\nComponents: main\nSigned-By: /etc/apt/keyrings/corp.gpg\n',
    ].join('\n');
    expect(mirror({ 'sources.list.d/debian.sources': sources })).toBe('https://proxy.corp.example/debian\t/etc/apt/keyrings/corp.gpg\n');
  });

  it('reads a one-line list with options, and one without a keyring', () => {
    expect(mirror({ 'sources.list': 'deb [arch=amd64 signed-by=/k.gpg] http://m.example/debian bookworm main\n' })).toBe('http://m.example/debian\t/k.gpg\n');
    expect(mirror({ 'sources.list': '# deb http://x/debian bookworm main\ndeb http://cache.lan:3142/debian bookworm main contrib\n' })).toBe('http://cache.lan:3142/debian\t\n');
  });

  it('prints nothing when no source names the suite', () => {
    expect(mirror({ 'sources.list': 'deb http://m.example/debian trixie main\n' })).toBe('');
    expect(mirror({})).toBe('');
  });
});
