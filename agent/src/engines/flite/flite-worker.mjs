// Worker thread that runs the flite WASI binary, one synthesis at a time, so the caller's event
// loop keeps flowing audio while a sentence is synthesized.
// Plain JavaScript on purpose: tsx's loader hooks are not inherited by worker threads on Node 20,
// so a .ts worker would not start under `tsx` or `node --import tsx`.
//
// workerData: { module: WebAssembly.Module, dir: string }  (dir: a private temp directory)
// in:  { id: number, text: string, voice: string }
// out: { id, ok: true, wav: Uint8Array } | { id, ok: false, error: string }
import { closeSync, openSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';

// node:wasi warns that it is experimental on first use; that is known and says nothing about
// this synthesis, so only that one warning is dropped (others still surface).
const emitWarning = process.emitWarning.bind(process);
process.emitWarning = (warning, ...rest) => {
  const text = typeof warning === 'string' ? warning : warning?.message;
  if (typeof text === 'string' && text.includes('WASI')) return;
  emitWarning(warning, ...rest);
};
const { WASI } = await import('node:wasi');

const { module, dir } = workerData;
const GUEST_DIR = '/work';

function synthesize(id, text, voice) {
  const wavName = `out-${id}.wav`;
  const logPath = join(dir, `log-${id}.txt`);
  // flite prints warnings on stdout/stderr; keep them off the host's streams (which may carry
  // structured logs) and use them as the error message if synthesis fails.
  const logFd = openSync(logPath, 'w');
  try {
    const wasi = new WASI({
      version: 'preview1',
      args: ['flite', '-voice', voice, '-t', text, '-o', `${GUEST_DIR}/${wavName}`],
      env: {},
      preopens: { [GUEST_DIR]: dir },
      stdout: logFd,
      stderr: logFd,
      returnOnExit: true,
    });
    const imports = wasi.getImportObject();
    // Calling the WASI host functions through a JS wrapper keeps V8 from using its "fast API
    // call" path for them. On Node 20 that path crashes the whole process (SIGSEGV) when flite
    // writes a WAV larger than about 1 MB (nodejs/node#46777: the fast call triggers a GC).
    const host = imports.wasi_snapshot_preview1;
    for (const name of Object.keys(host)) {
      const fn = host[name];
      host[name] = (...args) => fn(...args);
    }
    const instance = new WebAssembly.Instance(module, imports);
    const code = wasi.start(instance);
    const log = readFileSync(logPath, 'utf8').trim();
    if (code !== 0) throw new Error(`flite exited with code ${code}${log ? `: ${log}` : ''}`);
    const wavPath = join(dir, wavName);
    const wav = readFileSync(wavPath);
    rmSync(wavPath);
    // a Buffer may be a view into a shared slab; transfer needs a buffer of its own
    return wav.byteOffset === 0 && wav.byteLength === wav.buffer.byteLength
      ? new Uint8Array(wav.buffer)
      : new Uint8Array(wav);
  } finally {
    closeSync(logFd);
    rmSync(logPath, { force: true });
    rmSync(join(dir, wavName), { force: true });
  }
}

parentPort.on('message', ({ id, text, voice }) => {
  try {
    const wav = synthesize(id, text, voice);
    parentPort.postMessage({ id, ok: true, wav }, [wav.buffer]);
  } catch (err) {
    parentPort.postMessage({ id, ok: false, error: err instanceof Error ? err.message : String(err) });
  }
});
