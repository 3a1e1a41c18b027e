/**
 * The emulator's cache store: objects and hit-for-pass / hit-for-miss markers per cache
 * key, with variants selected by the request headers the stored response varies on.
 */
import type { StaleAllowance, StoreValue } from '../../src/semantics/types.ts';

export interface StoredResponse {
  status: number;
  headers: Record<string, string | string[]>;
  body: Buffer;
}

export interface StoredEntry {
  kind: Exclude<StoreValue, 'no-store'>;
  key: string;
  /** Request header names (lower case) and the values the storing request had. */
  varyOn: readonly string[];
  varyValues: readonly string[];
  response: StoredResponse | undefined;
  storedAt: number;
  ttlMs: number;
  stale: StaleAllowance;
}

export type Freshness = 'fresh' | 'stale-servable' | 'stale';

export class CacheStore {
  readonly #byKey = new Map<string, StoredEntry[]>();
  readonly #maxKeys: number;

  constructor(maxKeys = 100_000) {
    this.#maxKeys = maxKeys;
  }

  get size(): number {
    return this.#byKey.size;
  }

  /** The entry whose variant matches these request headers, if any (markers match any variant). */
  lookup(key: string, requestHeader: (name: string) => string, now: number): StoredEntry | undefined {
    const entries = this.#byKey.get(key);
    if (!entries) return undefined;
    const live = entries.filter((e) => !this.#expired(e, now));
    if (live.length !== entries.length) {
      if (live.length === 0) this.#byKey.delete(key);
      else this.#byKey.set(key, live);
    }
    return live.find((e) => e.kind !== 'store' || e.varyOn.every((h, i) => requestHeader(h) === e.varyValues[i]));
  }

  put(entry: StoredEntry): void {
    const entries = (this.#byKey.get(entry.key) ?? []).filter(
      (e) => e.kind !== entry.kind || e.varyValues.join('\u0000') !== entry.varyValues.join('\u0000'),
    );
    // A marker replaces objects and an object replaces markers for the same key.
    const kept = entry.kind === 'store' ? entries.filter((e) => e.kind === 'store') : [];
    kept.push(entry);
    this.#byKey.delete(entry.key);
    this.#byKey.set(entry.key, kept);
    if (this.#byKey.size > this.#maxKeys) {
      const oldest = this.#byKey.keys().next().value;
      if (oldest !== undefined) this.#byKey.delete(oldest);
    }
  }

  freshness(e: StoredEntry, now: number): Freshness {
    const age = now - e.storedAt;
    if (age < e.ttlMs) return 'fresh';
    const staleFor = age - e.ttlMs;
    if (e.stale.whileUpdating || staleFor < e.stale.whileRevalidate * 1000) return 'stale-servable';
    return 'stale';
  }

  clear(): void {
    this.#byKey.clear();
  }

  #expired(e: StoredEntry, now: number): boolean {
    // nginx keeps stale entries (inactive=10m by default) so `use_stale updating` can serve them.
    const keep = e.stale.whileUpdating ? 600_000 : Math.max(e.stale.whileRevalidate, e.stale.ifError) * 1000;
    return now - e.storedAt >= e.ttlMs + keep;
  }
}
