// The preflight: before npm start, npm test or CI starts anything, it checks the system pieces that mode
// needs (scripts/system-packages.json, the one list), installs what is missing where it can (Debian or
// Ubuntu, as root or with password-less sudo) and otherwise prints the exact command for this system and
// fails. Plain JavaScript with node: imports only: it runs before `npm install`.
//
//   node scripts/preflight.mjs start|test        (TELEPHONY=1 in the environment adds telephony's pieces)
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { accessSync, constants, existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('..', import.meta.url)).replace(/\/$/, '');
export const PACKAGES_FILE = join(ROOT, 'scripts', 'system-packages.json');

/** @returns {{ pieces: any[], go: { minVersion: string, install: string } }} */
export function loadSystemPackages(file = PACKAGES_FILE) {
  return JSON.parse(readFileSync(file, 'utf8'));
}

/** The roles a run needs: npm start ('start', plus 'telephony' with TELEPHONY=1) or npm test ('test'). */
export function rolesFor(mode, telephony) {
  if (mode === 'test') return ['test'];
  return telephony ? ['start', 'telephony'] : ['start'];
}

export function neededPieces(pieces, roles) {
  return pieces.filter((p) => p.for.some((r) => roles.includes(r)));
}

/**
 * The Go binaries a run needs (from package.json's pins): livekit-server always, livekit-sip for telephony and tests.
 */
export function neededBinaries(pkg, roles) {
  const bins = [{ name: 'livekit-server', envVar: 'LIVEKIT_SERVER_BIN', ...pkg.voxanne.livekitServer }];
  if (roles.includes('telephony') || roles.includes('test'))
    bins.push({ name: 'livekit-sip', envVar: 'LIVEKIT_SIP_BIN', ...pkg.voxanne.livekitSip });
  return bins;
}

/**
 * The cached build's file name in .cache/bin: name-version, and with patches (scripts/patches/) a hash
 * of them, so a changed patch is a binary of its own (scripts/lib/livekit-binary.ts builds it).
 */
export function cachedBinaryName(b, root = ROOT) {
  if (!b.patches?.length) return `${b.name}-${b.version}`;
  const h = createHash('sha256');
  for (const p of b.patches) h.update(`${p.module}\0`).update(readFileSync(join(root, p.file)));
  return `${b.name}-${b.version}-p${h.digest('hex').slice(0, 8)}`;
}

/** "go version go1.22.3 linux/amd64" → [1, 22, 3] */
export function parseGoVersion(out) {
  const m = /go(\d+)\.(\d+)(?:\.(\d+))?/.exec(out.replace(/^go version /, ''));
  return m ? [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)] : undefined;
}

function versionAtLeast(have, min) {
  const want = min.split('.').map(Number);
  for (let i = 0; i < want.length; i++) {
    if ((have[i] ?? 0) !== want[i]) return (have[i] ?? 0) > want[i];
  }
  return true;
}

/**
 * Which package manager this system has and whether we may install with it.
 * @returns {{ manager: 'apt' | 'dnf' | 'brew' | undefined, install: 'root' | 'sudo' | false }}
 */
export function detectSystem(probes) {
  if (probes.platform === 'darwin') return { manager: 'brew', install: false };
  const os = probes.osRelease() ?? '';
  const ids = `${/^ID=(.*)$/m.exec(os)?.[1] ?? ''} ${/^ID_LIKE=(.*)$/m.exec(os)?.[1] ?? ''}`.replace(/"/g, '');
  if (/\b(debian|ubuntu)\b/.test(ids)) {
    const install = probes.uid === 0 ? 'root' : probes.sudoWorks() ? 'sudo' : false;
    return { manager: 'apt', install };
  }
  if (/\b(fedora|rhel|centos)\b/.test(ids)) return { manager: 'dnf', install: false };
  return { manager: undefined, install: false };
}

/** The command that installs these pieces on this system, as it is printed (and, for apt, run). */
export function installCommand(manager, missing, asRoot) {
  const pkgs = [...new Set(missing.map((p) => p.packages[manager]))];
  const sudo = asRoot ? '' : 'sudo ';
  if (manager === 'apt') return `${sudo}apt-get install -y ${pkgs.join(' ')}`;
  if (manager === 'dnf') return `${sudo}dnf install -y ${pkgs.join(' ')}`;
  if (manager === 'brew') {
    const casks = pkgs.filter((p) => p.startsWith('--cask ')).map((p) => p.slice(7));
    const formulae = pkgs.filter((p) => !p.startsWith('--cask '));
    return [
      formulae.length && `brew install ${formulae.join(' ')}`,
      casks.length && `brew install --cask ${casks.join(' ')}`,
    ]
      .filter(Boolean)
      .join(' && ');
  }
  return undefined;
}

/**
 * Checks (and on Debian installs) what the run needs. Never throws for a missing piece: it reports.
 * @returns {Promise<{ ok: boolean, missing: string[], installed: string[] }>}
 */
export async function preflight({
  mode,
  env,
  probes,
  pkg,
  list = loadSystemPackages(),
  print = console.log,
  printError = console.error,
}) {
  const telephony = env.TELEPHONY === '1' || env.TELEPHONY === 'true';
  const roles = rolesFor(mode, telephony);
  const problems = [];

  // Go binaries first: an unusable LIVEKIT_*_BIN or a missing/old Go is a sentence of its own
  const toBuild = [];
  for (const b of neededBinaries(pkg, roles)) {
    const fromEnv = env[b.envVar];
    if (fromEnv) {
      if (!probes.isExecutable(fromEnv))
        problems.push(
          `${b.envVar}=${fromEnv} is not an executable file: point it at a ${b.name} ` +
            `binary, or unset it to have it built.`,
        );
      continue;
    }
    if (probes.commandPath(b.name) || probes.isExecutable(join(ROOT, '.cache', 'bin', cachedBinaryName(b)))) continue;
    toBuild.push(b);
  }
  if (toBuild.length) {
    const names = toBuild.map((b) => `${b.name} ${b.version}`).join(' and ');
    const goOut = probes.goVersion();
    const have = goOut === undefined ? undefined : parseGoVersion(goOut);
    if (goOut === undefined)
      problems.push(
        `Go ${list.go.minVersion}+ is needed to build ${names} (first run only): install ` +
          `it from ${list.go.install}, or put the binaries on PATH.`,
      );
    else if (!have || !versionAtLeast(have, list.go.minVersion))
      problems.push(
        `Go ${list.go.minVersion}+ is needed to build ${names}, but '${goOut.trim()}' ` +
          `was found: install a newer Go from ${list.go.install}.`,
      );
  }

  let missing = neededPieces(list.pieces, roles).filter((p) => !probes.has(p.probe));
  const installed = [];
  if (missing.length) {
    const system = detectSystem(probes);
    if (system.manager === 'apt' && system.install) {
      const sudo = system.install === 'sudo' ? ['sudo', '-n'] : [];
      const pkgs = [...new Set(missing.map((p) => p.packages.apt))];
      const aptEnv = { ...env, DEBIAN_FRONTEND: 'noninteractive' };
      const install = [...sudo, 'apt-get', 'install', '-y', '-q', ...pkgs];
      print(`preflight: missing ${missing.map((p) => p.what).join('; ')}`);
      print(`preflight: installing: ${install.join(' ')}`);
      let code = probes.run(install, aptEnv);
      if (code !== 0) {
        // a fresh machine's package lists may be empty or stale
        const update = [...sudo, 'apt-get', 'update', '-q'];
        print(`preflight: installing failed; refreshing the package lists: ${update.join(' ')}`);
        probes.run(update, aptEnv);
        print(`preflight: installing: ${install.join(' ')}`);
        code = probes.run(install, aptEnv);
      }
      const still = missing.filter((p) => !probes.has(p.probe));
      installed.push(...missing.filter((p) => !still.includes(p)).map((p) => p.packages.apt));
      missing = still;
      if (missing.length)
        problems.push(
          `apt-get could not install ${missing.map((p) => p.packages.apt).join(' ')} (exit ` +
            `${code}); see its messages above.`,
        );
    } else {
      const cmd = system.manager && installCommand(system.manager, missing, probes.uid === 0);
      const what = missing.map((p) => p.what).join('; ');
      problems.push(
        cmd
          ? `Missing ${what}. Install with: ${cmd}`
          : `Missing ${what}. Install them with your system's package manager (Debian names: ` +
              `${missing.map((p) => p.packages.apt).join(' ')}).`,
      );
    }
  }

  for (const p of problems) printError(`preflight: ${p}`);
  return { ok: problems.length === 0, missing: missing.map((p) => p.id), installed };
}

// ---- the real probes ------------------------------------------------------------------------------

/** Expands a path whose segments may be `*` (one directory level). */
function expand(pattern) {
  let paths = [''];
  for (const seg of pattern.split('/').slice(1)) {
    const next = [];
    for (const base of paths) {
      if (seg !== '*') next.push(`${base}/${seg}`);
      else {
        try {
          for (const name of readdirSync(base || '/')) next.push(`${base}/${name}`);
        } catch {
          // an unreadable or absent directory simply matches nothing
        }
      }
    }
    paths = next;
  }
  return paths;
}

function isExecutable(path) {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

export function systemProbes(env = process.env) {
  const pathDirs = `${env.PATH ?? ''}${delimiter}/usr/local/go/bin${delimiter}/usr/sbin${delimiter}/sbin`
    .split(delimiter)
    .filter(Boolean);
  const commandPath = (name) => pathDirs.map((d) => join(d, name)).find(isExecutable);
  const quiet = (cmd, args) => {
    try {
      return execFileSync(cmd, args, { stdio: ['ignore', 'pipe', 'ignore'], timeout: 3000, encoding: 'utf8' });
    } catch {
      return undefined;
    }
  };
  return {
    platform: process.platform,
    uid: process.getuid?.(),
    osRelease: () => (existsSync('/etc/os-release') ? readFileSync('/etc/os-release', 'utf8') : undefined),
    sudoWorks: () => !!commandPath('sudo') && quiet('sudo', ['-n', 'true']) !== undefined,
    commandPath,
    isExecutable,
    goVersion: () => {
      const go = commandPath('go');
      return go ? quiet(go, ['version']) : undefined;
    },
    has(probe) {
      if (probe.command) return !!commandPath(probe.command);
      if (probe.file) return probe.file.some((p) => expand(p).some((f) => existsSync(f) && statSync(f).isFile()));
      if (probe.dir) return probe.dir.some((p) => expand(p).some((f) => existsSync(f) && statSync(f).isDirectory()));
      if (probe.pkgconfig)
        return !!commandPath('pkg-config') && quiet('pkg-config', ['--exists', probe.pkgconfig]) !== undefined;
      throw new Error(`unknown probe ${JSON.stringify(probe)} in system-packages.json`);
    },
    run(argv, runEnv) {
      const r = spawnSync(argv[0], argv.slice(1), { stdio: 'inherit', env: runEnv });
      return r.status ?? 1;
    },
  };
}

/** Runs the preflight for npm start / npm test; exits the process with 1 when the stack cannot work. */
export async function runPreflight(mode, env = process.env) {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
  const r = await preflight({ mode, env, probes: systemProbes(env), pkg });
  if (!r.ok) process.exit(1);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const mode = process.argv[2] ?? 'start';
  if (mode !== 'start' && mode !== 'test') {
    console.error(`usage: node scripts/preflight.mjs start|test (got '${mode}')`);
    process.exit(2);
  }
  await runPreflight(mode);
  console.log(`preflight: every system piece '${mode}' needs is present`);
}
