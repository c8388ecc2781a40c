/**
 * The caller's audio that Deepgram has not yet covered with a final result. When a live
 * connection drops, this is what a new connection must hear again, or the words being spoken at
 * that moment are lost. Pure: bytes and offsets only.
 *
 * Offsets: the stream's byte offset counts every byte ever appended; a connection's own timeline
 * (what Deepgram's `start`/`duration` refer to) starts at 0 with the first byte sent on it, which
 * after a reconnect is the first replayed byte.
 */

interface Chunk {
  /** stream byte offset of bytes[0] */
  at: number;
  bytes: Uint8Array;
}

export class ReplayBuffer {
  readonly #maxBytes: number;
  readonly #alignBytes: number;
  #chunks: Chunk[] = [];
  #total = 0;
  #retained = 0;
  #connectionBase = 0;

  /**
   * @param maxBytes most audio to keep; older audio is forgotten first (a connection that never
   *   finalizes must not grow memory without bound)
   * @param alignBytes bytes per sample frame; cuts never split a sample
   */
  constructor(maxBytes: number, alignBytes = 2) {
    this.#maxBytes = maxBytes;
    this.#alignBytes = alignBytes;
  }

  append(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    this.#chunks.push({ at: this.#total, bytes });
    this.#total += bytes.length;
    this.#retained += bytes.length;
    while (this.#retained > this.#maxBytes && this.#chunks.length > 1) {
      this.#retained -= this.#chunks.shift()!.bytes.length;
    }
  }

  /** Deepgram finalized the current connection's audio up to `connectionByte`: that part need never be resent. */
  confirm(connectionByte: number): void {
    const upTo = this.#connectionBase + connectionByte;
    while (this.#chunks.length) {
      const c = this.#chunks[0]!;
      const end = c.at + c.bytes.length;
      if (end <= upTo) {
        this.#chunks.shift();
        this.#retained -= c.bytes.length;
        continue;
      }
      if (c.at < upTo) {
        const cut = Math.floor((upTo - c.at) / this.#alignBytes) * this.#alignBytes;
        this.#chunks[0] = { at: c.at + cut, bytes: c.bytes.subarray(cut) };
        this.#retained -= cut;
      }
      break;
    }
  }

  /** A new connection starts: returns the audio to send it first; its timeline starts at the first of these bytes. */
  restart(): Uint8Array[] {
    this.#connectionBase = this.#chunks[0]?.at ?? this.#total;
    return this.#chunks.map((c) => c.bytes);
  }

  /** stream byte offset where the current connection's timeline starts */
  get connectionBase(): number {
    return this.#connectionBase;
  }

  get retainedBytes(): number {
    return this.#retained;
  }
}
