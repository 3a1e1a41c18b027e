/**
 * Per-key state with bounded memory: entries are kept in order of their last update (event
 * time), expire by age, and beyond `maxKeys` the least recently updated are evicted (and counted),
 * so unbounded key spaces (cache-busting query strings, attacks) cannot exhaust memory.
 */
export class KeyedState<T> {
  readonly #entries = new Map<string, { value: T; time: number }>();
  readonly #maxKeys: number;
  readonly #onEvict: (n: number) => void;

  constructor(maxKeys: number, onEvict: (n: number) => void = () => undefined) {
    this.#maxKeys = maxKeys;
    this.#onEvict = onEvict;
  }

  get size(): number {
    return this.#entries.size;
  }

  get(key: string): T | undefined {
    return this.#entries.get(key)?.value;
  }

  /** Set and mark as updated at `time` (moves the key to the young end). */
  set(key: string, value: T, time: number): void {
    this.#entries.delete(key);
    this.#entries.set(key, { value, time });
    if (this.#entries.size > this.#maxKeys) {
      let n = 0;
      for (const k of this.#entries.keys()) {
        if (this.#entries.size <= this.#maxKeys) break;
        this.#entries.delete(k);
        n++;
      }
      this.#onEvict(n);
    }
  }

  delete(key: string): void {
    this.#entries.delete(key);
  }

  /** Drop entries last updated before `time` (expiry by age; not counted as evictions). */
  evictOlderThan(time: number): number {
    let n = 0;
    for (const [k, v] of this.#entries) {
      if (v.time >= time) break;
      this.#entries.delete(k);
      n++;
    }
    return n;
  }
}
