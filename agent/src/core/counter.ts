/**
 * A monotonic counter with a name and help text, shaped so a Prometheus endpoint can export it
 * later (`# HELP name help` / `name value`). Pure: no registry, no I/O.
 */
export class Counter {
  #value = 0;
  constructor(
    readonly name: string,
    readonly help: string,
  ) {}

  inc(by = 1): number {
    if (!(by >= 0)) throw new RangeError(`a counter only goes up (got ${by})`);
    this.#value += by;
    return this.#value;
  }

  get value(): number {
    return this.#value;
  }

  /** the Prometheus text exposition of this counter */
  expose(): string {
    return `# HELP ${this.name} ${this.help}\n# TYPE ${this.name} counter\n${this.name} ${this.#value}\n`;
  }
}
