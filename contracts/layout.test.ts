// The repository's layout rules for contracts, checked on every file so a new one is covered the
// day it is added: web/ and sip/ reach the agent's code only through @voxanne/contracts, the
// contracts import none of the workspaces, and what the contracts declare is declared nowhere else.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

function sources(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'dist' || name.startsWith('.')) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) sources(p, out);
    else if (/\.(ts|mts|tsx|js|mjs)$/.test(name)) out.push(p);
  }
  return out;
}

/** every module specifier of `from '…'`, `import '…'`, `import('…')` and `export … from '…'` */
export function specifiers(text: string): string[] {
  const found: string[] = [];
  for (const m of text.matchAll(/(?:\bfrom\s*|\bimport\s*\(?\s*)(['"])([^'"\n]+)\1/g)) found.push(m[2]!);
  return found;
}

const reachesIntoAgent = (spec: string) => /(^|\/)agent\/src(\/|$)/.test(spec);

function violations(dirs: string[], bad: (spec: string, file: string) => boolean): string[] {
  return dirs
    .flatMap((d) => sources(join(ROOT, d)))
    .flatMap((f) =>
      specifiers(readFileSync(f, 'utf8'))
        .filter((s) => bad(s, f))
        .map((s) => `${relative(ROOT, f)} imports ${s}`),
    );
}

describe('repository layout', () => {
  it('finds the imports it checks, whatever their form', () => {
    const text = [
      "import { a } from '../../../agent/src/core/x.ts';",
      'export { b } from "../agent/src/records/types.ts";',
      "const c = await import('../../agent/src/main.ts');",
      "import '@voxanne/contracts/protocol';",
    ].join('\n');
    assert.deepEqual(specifiers(text), [
      '../../../agent/src/core/x.ts',
      '../agent/src/records/types.ts',
      '../../agent/src/main.ts',
      '@voxanne/contracts/protocol',
    ]);
    assert.deepEqual(specifiers(text).filter(reachesIntoAgent).length, 3);
  });

  it('web/ and sip/ never import from agent/src: what both sides need is in @voxanne/contracts', () => {
    assert.deepEqual(violations(['web', 'sip'], reachesIntoAgent), []);
  });

  it('the contracts import nothing from the workspaces that use them, from outside only zod and node:crypto', () => {
    const allowed = (s: string) => s.startsWith('./') || s === 'zod' || s === 'node:crypto' || s.startsWith('node:');
    const src = join(ROOT, 'contracts/src');
    const bad = sources(src).flatMap((f) =>
      specifiers(readFileSync(f, 'utf8'))
        .filter((s) => !allowed(s) || /\.\.\//.test(s))
        .map((s) => `${relative(ROOT, f)} imports ${s}`),
    );
    assert.deepEqual(bad, []);
  });

  it('the browser-side contracts use no node: module (the page bundles them)', () => {
    for (const name of [
      'protocol.ts',
      'dashboard.ts',
      'records-api.ts',
      'calendar.ts',
      'knowledge-base.ts',
      'call-room.ts',
    ]) {
      const nodeImports = specifiers(readFileSync(join(ROOT, 'contracts/src', name), 'utf8')).filter((s) =>
        s.startsWith('node:'),
      );
      assert.deepEqual(nodeImports, [], name);
    }
  });

  it('the LiveKit variables, the dev secret and the room topic are declared only in the contracts', () => {
    const declarations = [
      /\bLIVEKIT_(URL|API_KEY|API_SECRET)\s*:\s*z\b/, // a zod schema entry for a LiveKit variable
      /voxanne-local-dev-secret/, // the dev secret's value
      /=\s*'voxanne(\.state|\.engines)?'\s*;/, // the room protocol's topic and attributes
    ];
    const offenders: string[] = [];
    for (const d of ['agent', 'web', 'sip', 'scripts', 'bench', 'naturalness']) {
      for (const f of sources(join(ROOT, d))) {
        if (f.endsWith('.test.ts')) continue;
        const text = readFileSync(f, 'utf8');
        for (const re of declarations) if (re.test(text)) offenders.push(`${relative(ROOT, f)}: ${re}`);
      }
    }
    assert.deepEqual(offenders, []);
  });
});
