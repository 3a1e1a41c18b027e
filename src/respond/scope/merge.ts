/**
 * The order scope feeds events to the engine in: event time, ties broken by the event's own fields
 * (so two events that compare equal are the same to every detector, and their order is moot). A
 * min-heap holds what the inputs have read but not yet released; an event is released once every
 * unfinished input has read past its time plus the reorder window, so lines slightly out of order
 * inside a file still come out sorted. The released sequence is the sorted sequence of all events
 * however the logs were split into files and in whatever order the files were named; that makes
 * the report identical for one file or many.
 */
import type { CacheEvent } from '../../core/event.ts';

export interface Pending {
  time: number;
  event: CacheEvent;
  /** The input it came from (index into the reader list). */
  input: number;
}

/** Every CacheEvent field but `time`, in the order ties are broken. */
const TIE_FIELDS = ['url', 'edge', 'viewer', 'owner', 'outcome', 'status', 'method', 'host', 'key', 'durationMs', 'requestId', 'setCookie', 'setCookieOwner', 'cacheControl', 'age'] as const satisfies ReadonlyArray<keyof CacheEvent>;

/** Orders two events of the same time by their fields (absent before present); 0 when every field is equal. */
export function tieBreak(a: CacheEvent, b: CacheEvent): number {
  for (const f of TIE_FIELDS) {
    const x = a[f];
    const y = b[f];
    if (x === y) continue;
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    return x < y ? -1 : 1;
  }
  return 0;
}

const before = (a: Pending, b: Pending): boolean => a.time < b.time || (a.time === b.time && tieBreak(a.event, b.event) < 0);

export class EventHeap {
  readonly #a: Pending[] = [];

  get size(): number {
    return this.#a.length;
  }

  peek(): Pending | undefined {
    return this.#a[0];
  }

  push(p: Pending): void {
    const a = this.#a;
    let i = a.length;
    a.push(p);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const q = a[parent]!;
      if (!before(p, q)) break;
      a[i] = q;
      i = parent;
    }
    a[i] = p;
  }

  pop(): Pending | undefined {
    const a = this.#a;
    const top = a[0];
    const last = a.pop();
    if (top === undefined || last === undefined || a.length === 0) return top;
    const n = a.length;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      let c = l;
      let child = a[l]!;
      if (r < n && before(a[r]!, child)) {
        c = r;
        child = a[r]!;
      }
      if (!before(child, last)) break;
      a[i] = child;
      i = c;
    }
    a[i] = last;
    return top;
  }
}
