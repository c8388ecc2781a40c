/**
 * An unbounded single-consumer queue you can await; close() ends iteration once drained,
 * fail(err) makes iteration throw err once drained (so a producer's failure reaches the consumer).
 */
export class AsyncQueue<T> implements AsyncIterable<T> {
  #items: T[] = [];
  #waiters: { resolve: (r: IteratorResult<T>) => void; reject: (e: unknown) => void }[] = [];
  #closed = false;
  #error: { err: unknown } | undefined;

  push(item: T): void {
    if (this.#closed) throw new Error('push on a closed queue');
    const w = this.#waiters.shift();
    if (w) w.resolve({ value: item, done: false });
    else this.#items.push(item);
  }

  close(): void {
    this.#closed = true;
    for (const w of this.#waiters.splice(0)) w.resolve({ value: undefined, done: true });
  }

  fail(err: unknown): void {
    this.#closed = true;
    this.#error = { err };
    for (const w of this.#waiters.splice(0)) w.reject(err);
  }

  get closed(): boolean {
    return this.#closed;
  }

  next(): Promise<IteratorResult<T>> {
    if (this.#items.length) return Promise.resolve({ value: this.#items.shift()!, done: false });
    if (this.#error) return Promise.reject(this.#error.err);
    if (this.#closed) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve, reject) => this.#waiters.push({ resolve, reject }));
  }

  [Symbol.asyncIterator](): AsyncIterator<T> {
    return { next: () => this.next() };
  }
}
