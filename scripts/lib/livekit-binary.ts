import { execFile } from 'node:child_process';
import { access, constants, cp, mkdir, readFile, rename, rm } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import { cachedBinaryName } from '../preflight.mjs';

const run = promisify(execFile);
export const ROOT = new URL('../../', import.meta.url).pathname.replace(/\/$/, '');
export const CACHE_BIN = join(ROOT, '.cache', 'bin');

export interface GoBinarySpec {
  /** what we call it, e.g. livekit-server */
  name: string;
  /** Go package path to `go install` */
  module: string;
  version: string;
  /** env var that may point at an existing binary */
  envVar: string;
  /**
   * 'install' (default): `go install module@version`. 'module': go get + go build inside a throw-away
   * module, for modules whose version list the Go proxy does not serve (`go install pkg@v` looks the
   * list up to check for deprecation and fails without it; a pinned `go get` does not need it).
   */
  build?: 'install' | 'module';
  /** what else a build needs, for the error message (cgo libraries) */
  needs?: string;
  /**
   * fixes to the pinned version's dependencies, applied before the build (a module build then): each a
   * unified diff in this repository (scripts/patches/) for one Go module, relative to that module's root
   */
  patches?: GoPatch[];
}

export interface GoPatch {
  module: string;
  /** the diff's path in this repository */
  file: string;
}

export async function pinnedSpecs(): Promise<{ livekitServer: GoBinarySpec; livekitSip: GoBinarySpec }> {
  const pkg = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as {
    voxanne: {
      livekitServer: { module: string; version: string; patches?: GoPatch[] };
      livekitSip: { module: string; version: string; patches?: GoPatch[] };
    };
  };
  return {
    livekitServer: {
      name: 'livekit-server',
      envVar: 'LIVEKIT_SERVER_BIN',
      needs: 'the patch command',
      ...pkg.voxanne.livekitServer,
    },
    livekitSip: {
      name: 'livekit-sip',
      envVar: 'LIVEKIT_SIP_BIN',
      build: 'module',
      needs: "cgo and Debian's libopus-dev libopusfile-dev libsoxr-dev pkg-config",
      ...pkg.voxanne.livekitSip,
    },
  };
}

async function isExecutable(path: string): Promise<boolean> {
  try {
    await access(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

async function onPath(name: string, pathVar = process.env.PATH ?? ''): Promise<string | undefined> {
  for (const dir of pathVar.split(delimiter)) {
    if (dir && (await isExecutable(join(dir, name)))) return join(dir, name);
  }
  return undefined;
}

export class MissingBinaryError extends Error {
  override name = 'MissingBinaryError';
}

/**
 * Finds a binary: $ENV_VAR, then PATH, then our cache; otherwise builds the pinned version with
 * `go install` into the git-ignored cache (.cache/bin/NAME-VERSION). The Go module cache makes a rebuild cheap.
 */
export async function ensureGoBinary(spec: GoBinarySpec, log: (msg: string) => void = console.log): Promise<string> {
  const fromEnv = process.env[spec.envVar];
  if (fromEnv) {
    if (await isExecutable(fromEnv)) return fromEnv;
    throw new MissingBinaryError(`${spec.envVar}=${fromEnv} is not an executable file`);
  }
  const found = await onPath(spec.name);
  if (found) return found;
  const cached = join(CACHE_BIN, cachedBinaryName(spec, ROOT));
  if (await isExecutable(cached)) return cached;

  const go = await onPath('go', `${process.env.PATH ?? ''}${delimiter}/usr/local/go/bin`);
  if (!go) {
    throw new MissingBinaryError(
      `${spec.name} ${spec.version} is needed but not found. Either put ${spec.name} on PATH, set ${spec.envVar} ` +
        `to its path, or install Go 1.22+ (https://go.dev/dl) so it can be built with ` +
        `'go install ${spec.module}@${spec.version}'.`,
    );
  }
  const tmp = join(ROOT, '.cache', `go-install-${spec.name}-${process.pid}`);
  await mkdir(tmp, { recursive: true });
  log(`building ${spec.name} ${spec.version} with go (first run only, a few minutes)…`);
  const env = { ...process.env, GOBIN: tmp, CGO_ENABLED: process.env.CGO_ENABLED ?? '1' };
  const go_ = (args: string[]) => run(go, args, { cwd: tmp, env, maxBuffer: 64 * 1024 * 1024 });
  const built = join(tmp, spec.module.split('/').pop()!);
  try {
    if (spec.build === 'module' || spec.patches?.length) {
      await go_(['mod', 'init', 'voxanne.local/gobuild']);
      await go_(['get', `${spec.module}@${spec.version}`]);
      const copied = new Set<string>();
      for (const p of spec.patches ?? []) {
        // a writable copy of the module the pinned version resolved to, patched, and used in its place
        // (made once per module: a module's later patches apply to the same copy)
        const dir = join(tmp, 'patched', p.module.replace(/[^A-Za-z0-9.-]+/g, '_'));
        if (!copied.has(p.module)) {
          const from = (await go_(['list', '-m', '-f', '{{.Dir}}', p.module])).stdout.trim();
          await cp(from, dir, { recursive: true });
          await run('chmod', ['-R', 'u+w', dir]);
          await go_(['mod', 'edit', '-replace', `${p.module}=${dir}`]);
          copied.add(p.module);
        }
        await run('patch', ['--batch', '--forward', '-p1', '-d', dir, '-i', join(ROOT, p.file)]);
      }
      await go_(['build', '-o', built, spec.module]);
    } else {
      await go_(['install', `${spec.module}@${spec.version}`]);
    }
    await mkdir(CACHE_BIN, { recursive: true });
    await rename(built, cached);
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    const needs = spec.needs ? ` (it needs ${spec.needs})` : '';
    throw new MissingBinaryError(
      `building ${spec.module}@${spec.version} failed${needs}:\n${err.stderr ?? err.message}`,
    );
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
  log(`built ${cached}`);
  return cached;
}
