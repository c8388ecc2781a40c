import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'vitest';
import { loadSystemPackages, preflight, ROOT, type Piece, type Probes } from './preflight.mjs';

const list = loadSystemPackages();
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
const DEBIAN = 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\n';
const UBUNTU = 'NAME="Ubuntu"\nID=ubuntu\nID_LIKE=debian\n';
const FEDORA = 'NAME="Fedora Linux"\nID=fedora\n';

interface World {
  /** piece ids that are not installed */
  missing: Set<string>;
  os?: string;
  platform?: NodeJS.Platform;
  uid?: number;
  sudo?: boolean;
  go?: string | undefined;
  /** binaries (livekit-server, livekit-sip) present in .cache/bin */
  cached?: string[];
  /** apt-get install installs what it is asked for unless this says otherwise */
  aptFails?: 'always' | 'until-update';
}

/** Probes over an imagined machine; apt-get "installs" by removing pieces from world.missing. */
function fakeProbes(w: World): Probes & { ran: string[][] } {
  const pieceOf = (probe: unknown) => list.pieces.find((p) => JSON.stringify(p.probe) === JSON.stringify(probe))!;
  const cached = w.cached ?? ['livekit-server', 'livekit-sip'];
  let updated = false;
  const ran: string[][] = [];
  return {
    ran,
    platform: w.platform ?? 'linux',
    uid: w.uid ?? 0,
    osRelease: () => w.os ?? DEBIAN,
    sudoWorks: () => w.sudo ?? false,
    commandPath: () => undefined,
    isExecutable: (path) => cached.some((b) => path.includes(`/.cache/bin/${b}-`)),
    goVersion: () => ('go' in w ? w.go : 'go version go1.23.4 linux/amd64'),
    has: (probe) => !w.missing.has(pieceOf(probe).id),
    run(argv) {
      ran.push(argv);
      const cmd = argv.filter((a) => a !== 'sudo' && a !== '-n');
      if (cmd[1] === 'update') {
        updated = true;
        return 0;
      }
      if (w.aptFails === 'always' || (w.aptFails === 'until-update' && !updated)) return 100;
      for (const p of list.pieces) if (cmd.includes(p.packages.apt)) w.missing.delete(p.id);
      return 0;
    },
  };
}

async function run(mode: 'start' | 'test', w: World, env: NodeJS.ProcessEnv = {}) {
  const probes = fakeProbes(w);
  const out: string[] = [];
  const err: string[] = [];
  const r = await preflight({ mode, env, probes, pkg, print: (l) => out.push(l), printError: (l) => err.push(l) });
  return { ...r, ran: probes.ran, out, err };
}

const needs = (p: Piece, roles: string[]) => p.for.some((r) => roles.includes(r));

describe('preflight', () => {
  it('with everything present it passes and runs nothing', async () => {
    for (const mode of ['start', 'test'] as const) {
      const r = await run(mode, { missing: new Set() });
      assert.deepEqual([r.ok, r.ran, r.err], [true, [], []]);
    }
  });

  // every piece of the one list, missing alone, in every mode
  for (const piece of list.pieces) {
    for (const [mode, env, roles] of [
      ['start', {}, ['start']],
      ['start', { TELEPHONY: '1' }, ['start', 'telephony']],
      ['test', {}, ['test']],
    ] as const) {
      const label = `${mode}${env.TELEPHONY ? ' with TELEPHONY=1' : ''}`;
      if (needs(piece, [...roles])) {
        it(`${label}: a missing ${piece.id} is installed as root on Debian with exactly its package`, async () => {
          const r = await run(mode, { missing: new Set([piece.id]) }, env);
          assert.equal(r.ok, true, r.err.join('\n'));
          assert.deepEqual(r.ran, [['apt-get', 'install', '-y', '-q', piece.packages.apt]]);
          assert.ok(
            r.out.some((l) => l.includes(`apt-get install -y -q ${piece.packages.apt}`)),
            'the command is printed',
          );
          assert.deepEqual(r.installed, [piece.packages.apt]);
        });
        it(`${label}: a missing ${piece.id} without root or sudo prints the command and fails`, async () => {
          const r = await run(mode, { missing: new Set([piece.id]), uid: 1000, sudo: false }, env);
          assert.equal(r.ok, false);
          assert.deepEqual(r.ran, []);
          assert.equal(r.err.length, 1);
          assert.ok(r.err[0]!.includes(`Install with: sudo apt-get install -y ${piece.packages.apt}`), r.err[0]);
          assert.ok(r.err[0]!.includes(piece.what), 'names the missing thing');
        });
      } else {
        it(`${label}: ${piece.id} is not needed and not installed`, async () => {
          const r = await run(mode, { missing: new Set([piece.id]) }, env);
          assert.deepEqual([r.ok, r.ran], [true, []]);
        });
      }
    }
  }

  it('installs several missing pieces in one command, through sudo -n when not root', async () => {
    const r = await run('test', {
      missing: new Set(['pocketsphinx-lib', 'chromium', 'redis']),
      uid: 1000,
      sudo: true,
      os: UBUNTU,
    });
    assert.equal(r.ok, true);
    assert.deepEqual(r.ran, [
      ['sudo', '-n', 'apt-get', 'install', '-y', '-q', 'libpocketsphinx3', 'chromium', 'redis-server'],
    ]);
  });

  it('refreshes the package lists once when the install fails, then installs', async () => {
    const r = await run('start', { missing: new Set(['pocketsphinx-model']), aptFails: 'until-update' });
    assert.equal(r.ok, true);
    assert.deepEqual(
      r.ran.map((a) => a[1]),
      ['install', 'update', 'install'],
    );
  });

  it('an install that keeps failing is one sentence naming the package', async () => {
    const r = await run('start', { missing: new Set(['pocketsphinx-lib']), aptFails: 'always' });
    assert.equal(r.ok, false);
    assert.equal(r.err.length, 1);
    assert.match(r.err[0]!, /could not install libpocketsphinx3/);
  });

  it('on Fedora prints the dnf command; on macOS the brew command (casks apart)', async () => {
    const f = await run('test', { missing: new Set(['pocketsphinx-lib', 'sipp']), os: FEDORA, uid: 1000 });
    assert.equal(f.ok, false);
    assert.deepEqual(f.ran, []);
    assert.match(f.err[0]!, /Install with: sudo dnf install -y pocketsphinx-libs sipp$/);
    const asRoot = await run('test', { missing: new Set(['sipp']), os: FEDORA, uid: 0 });
    assert.match(asRoot.err[0]!, /Install with: dnf install -y sipp$/, 'root needs no sudo');
    const m = await run('test', { missing: new Set(['sox', 'chromium']), platform: 'darwin' });
    assert.equal(m.ok, false);
    assert.match(m.err[0]!, /Install with: brew install sox && brew install --cask chromium$/);
  });

  it('an unknown system gets the Debian package names to look for', async () => {
    const r = await run('start', { missing: new Set(['pocketsphinx-lib']), os: 'ID=arch\n' });
    assert.equal(r.ok, false);
    assert.match(r.err[0]!, /Debian names: libpocketsphinx3/);
  });

  describe('Go, only when a binary must be built', () => {
    it('is not asked for when the binaries are cached', async () => {
      const r = await run('test', { missing: new Set(), go: undefined });
      assert.equal(r.ok, true);
    });
    it('missing while livekit-server must be built: one sentence naming both', async () => {
      const r = await run('start', { missing: new Set(), go: undefined, cached: [] });
      assert.equal(r.ok, false);
      assert.equal(r.err.length, 1);
      assert.match(
        r.err[0]!,
        /Go 1\.22\+ is needed to build livekit-server v[\d.]+ \(first run only\): install it from https:\/\/go\.dev\/dl/,
      );
    });
    it('too old: names the version found', async () => {
      const r = await run('test', {
        missing: new Set(),
        go: 'go version go1.19.8 linux/amd64',
        cached: ['livekit-server'],
      });
      assert.equal(r.ok, false);
      assert.match(r.err[0]!, /build livekit-sip v[\d.]+, but 'go version go1\.19\.8 linux\/amd64' was found/);
    });
    it('new enough: passes (the build itself happens later)', async () => {
      const r = await run('test', { missing: new Set(), go: 'go version go1.22.0 linux/amd64', cached: [] });
      assert.equal(r.ok, true);
    });
    it('livekit-sip is only needed with telephony', async () => {
      const r = await run('start', { missing: new Set(), go: undefined, cached: ['livekit-server'] });
      assert.equal(r.ok, true);
      const t = await run(
        'start',
        { missing: new Set(), go: undefined, cached: ['livekit-server'] },
        { TELEPHONY: '1' },
      );
      assert.equal(t.ok, false);
    });
    it('a LIVEKIT_SERVER_BIN that is not executable is named with the fix', async () => {
      const r = await run('start', { missing: new Set() }, { LIVEKIT_SERVER_BIN: '/nowhere/livekit-server' });
      assert.equal(r.ok, false);
      assert.deepEqual(r.err, [
        'preflight: LIVEKIT_SERVER_BIN=/nowhere/livekit-server is not an executable ' +
          'file: point it at a livekit-server binary, or unset it to have it built.',
      ]);
    });
  });
});
