/**
 * Cuts a raw audio byte stream, as it arrives off the network, into fixed-size frames of 16-bit
 * samples. Pure: no I/O, no LiveKit.
 *
 * HTTP chunk boundaries fall anywhere, so a `linear16` sample can be split across two chunks
 * (its low byte ends one, its high byte starts the next); the low byte waits for its partner.
 * `mulaw` is one byte per sample and is expanded to 16-bit with the G.711 table.
 */

export type AudioEncoding = 'linear16' | 'mulaw';

const MULAW_BIAS = 0x84;

/** G.711 μ-law byte to a 16-bit linear sample. */
export function mulawToLinear(byte: number): number {
  const u = ~byte & 0xff;
  const exponent = (u >> 4) & 0x07;
  const magnitude = ((((u & 0x0f) << 3) + MULAW_BIAS) << exponent) - MULAW_BIAS;
  return (u & 0x80 ? -magnitude : magnitude) | 0; // | 0: no -0 for the two zero codes
}

const MULAW_TABLE = Int16Array.from({ length: 256 }, (_, b) => mulawToLinear(b));

export class PcmFramer {
  readonly #encoding: AudioEncoding;
  readonly #frameSamples: number;
  #frame: Int16Array;
  #fill = 0;
  #lowByte: number | undefined;

  constructor(encoding: AudioEncoding, frameSamples: number) {
    if (!Number.isInteger(frameSamples) || frameSamples < 1)
      throw new RangeError(`frame size must be a positive whole number of samples, got ${frameSamples}`);
    this.#encoding = encoding;
    this.#frameSamples = frameSamples;
    this.#frame = new Int16Array(frameSamples);
  }

  /** Adds bytes; returns the frames they completed (each a fresh array the caller may keep). */
  push(bytes: Uint8Array): Int16Array[] {
    const out: Int16Array[] = [];
    const put = (sample: number) => {
      this.#frame[this.#fill++] = sample;
      if (this.#fill === this.#frameSamples) {
        out.push(this.#frame);
        this.#frame = new Int16Array(this.#frameSamples);
        this.#fill = 0;
      }
    };
    if (this.#encoding === 'mulaw') {
      for (let i = 0; i < bytes.length; i++) put(MULAW_TABLE[bytes[i]!]!);
      return out;
    }
    let i = 0;
    if (this.#lowByte !== undefined && bytes.length > 0) {
      put((((bytes[0]! << 8) | this.#lowByte) << 16) >> 16); // little-endian, then sign-extend
      this.#lowByte = undefined;
      i = 1;
    }
    for (; i + 1 < bytes.length; i += 2) put((((bytes[i + 1]! << 8) | bytes[i]!) << 16) >> 16);
    if (i < bytes.length) this.#lowByte = bytes[i];
    return out;
  }

  /**
   * End of stream: the last, shorter frame if any samples are
   * left. A lone trailing byte is not a sample and is dropped.
   */
  flush(): Int16Array | undefined {
    this.#lowByte = undefined;
    if (this.#fill === 0) return undefined;
    const last = this.#frame.slice(0, this.#fill);
    this.#fill = 0;
    return last;
  }

  /** true when a half sample is waiting for its second byte */
  get pendingByte(): boolean {
    return this.#lowByte !== undefined;
  }
}
