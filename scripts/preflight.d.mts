// Types for preflight.mjs (plain JavaScript so it runs before `npm install`).
export interface Probe {
  command?: string;
  file?: string[];
  dir?: string[];
  pkgconfig?: string;
}
export interface Piece {
  id: string;
  what: string;
  for: ('start' | 'telephony' | 'test')[];
  probe: Probe;
  packages: { apt: string; dnf: string; brew: string };
}
export interface SystemPackages {
  pieces: Piece[];
  go: { minVersion: string; install: string };
}
export interface Probes {
  platform: NodeJS.Platform;
  uid: number | undefined;
  osRelease(): string | undefined;
  sudoWorks(): boolean;
  commandPath(name: string): string | undefined;
  isExecutable(path: string): boolean;
  goVersion(): string | undefined;
  has(probe: Probe): boolean;
  run(argv: string[], env: NodeJS.ProcessEnv): number;
}
export type Mode = 'start' | 'test';
export const ROOT: string;
export const PACKAGES_FILE: string;
export function loadSystemPackages(file?: string): SystemPackages;
export function rolesFor(mode: Mode, telephony: boolean): string[];
export function neededPieces(pieces: Piece[], roles: string[]): Piece[];
export function neededBinaries(
  pkg: unknown,
  roles: string[],
): { name: string; envVar: string; module: string; version: string }[];
export function parseGoVersion(out: string): number[] | undefined;
export function detectSystem(probes: Probes): {
  manager: 'apt' | 'dnf' | 'brew' | undefined;
  install: 'root' | 'sudo' | false;
};
export function installCommand(manager: 'apt' | 'dnf' | 'brew', missing: Piece[], asRoot: boolean): string | undefined;
export function preflight(o: {
  mode: Mode;
  env: NodeJS.ProcessEnv;
  probes: Probes;
  pkg: unknown;
  list?: SystemPackages;
  print?: (line: string) => void;
  printError?: (line: string) => void;
}): Promise<{ ok: boolean; missing: string[]; installed: string[] }>;
export function systemProbes(env?: NodeJS.ProcessEnv): Probes;
export function runPreflight(mode: Mode, env?: NodeJS.ProcessEnv): Promise<void>;
export function cachedBinaryName(
  b: { name: string; version: string; patches?: { module: string; file: string }[] },
  root?: string,
): string;
