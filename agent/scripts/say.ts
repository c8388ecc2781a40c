// Speak text with the embedded flite engine into a 16-bit mono WAV file, e.g. test microphone audio:
//   npx tsx agent/scripts/say.ts --voice slt --rate 16000 --out hello.wav "Hello, this is Voxanne."
// Options: --voice slt|rms|awb|kal (default slt), --rate Hz (default 16000), --out FILE (required),
//          --lead MS / --trail MS silence around the speech (default 0).
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { FLITE_VOICES, type FliteVoice, sharedFlitePool } from '../src/engines/flite/flite-pool.ts';
import { synthesizeToWav } from '../src/engines/flite/wav-file.ts';

function fail(message: string): never {
  console.error(`say: ${message}`);
  console.error(
    'usage: say.ts [--voice slt|rms|awb|kal] [--rate 16000] [--lead ms] [--trail ms] --out file.wav "text"',
  );
  process.exit(2);
}

function nonNegativeInt(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) fail(`--${name} must be a non-negative integer, got "${value}"`);
  return n;
}

async function main(): Promise<void> {
  let parsed;
  try {
    parsed = parseArgs({
      allowPositionals: true,
      options: {
        voice: { type: 'string', default: 'slt' },
        rate: { type: 'string' },
        out: { type: 'string', short: 'o' },
        lead: { type: 'string' },
        trail: { type: 'string' },
      },
    });
  } catch (err) {
    fail((err as Error).message);
  }
  const { values, positionals } = parsed;
  const voice = values.voice as FliteVoice;
  if (!FLITE_VOICES.includes(voice))
    fail(`unknown voice "${values.voice}"; expected one of ${FLITE_VOICES.join(', ')}`);
  if (!values.out) fail('--out is required');
  const text = positionals.join(' ');
  if (!text.trim()) fail('no text given');
  const sampleRate = nonNegativeInt('rate', values.rate, 16000);
  if (sampleRate < 1000) fail(`--rate ${sampleRate} is too low`);

  const wav = await synthesizeToWav(text, {
    voice,
    sampleRate,
    leadingSilenceMs: nonNegativeInt('lead', values.lead, 0),
    trailingSilenceMs: nonNegativeInt('trail', values.trail, 0),
  });
  await writeFile(values.out, wav);
  const seconds = (wav.byteLength - 44) / 2 / sampleRate;
  console.error(`say: wrote ${values.out} (${seconds.toFixed(2)} s, ${sampleRate} Hz, voice ${voice})`);
  await sharedFlitePool().close();
}

await main();
