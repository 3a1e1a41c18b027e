/** Shared helpers for the format-adapter tests. */
import assert from 'node:assert/strict';
import type { CacheEvent } from '../../../src/core/event.ts';
import { IdentityHasher } from '../../../src/core/identity.ts';
import type { IdentityHash } from '../../../src/core/identity.ts';
import { createAdapter } from '../../../src/watch/adapters/index.ts';
import type { CreateAdapterOptions } from '../../../src/watch/adapters/index.ts';
import type { FormatAdapter, FormatId, RejectReason } from '../../../src/watch/adapters/types.ts';

export const TEST_KEY = 'test-identity-key-0123456789';
export const hasher = new IdentityHasher(TEST_KEY);

/** The keyed hash of a raw identity, as the adapter must produce it. */
export const h = (raw: string): IdentityHash => hasher.hash(raw)!;

export function adapter(id: FormatId, opts: Partial<CreateAdapterOptions> = {}): FormatAdapter {
  return createAdapter(id, { hasher, ...opts });
}

/** The event a line parses to; fails the test with the reject reason otherwise. */
export function parseOk(a: FormatAdapter, line: string): CacheEvent {
  const r = a.parse(line);
  if (!r.ok) assert.fail(`${a.id} rejected the line (${r.reason}${r.detail ? `: ${r.detail}` : ''}): ${line.slice(0, 200)}`);
  return r.event;
}

/** The reject reason of a line; fails the test when it parses. */
export function rejectOf(a: FormatAdapter, line: string): RejectReason {
  const r = a.parse(line);
  if (r.ok) assert.fail(`${a.id} accepted a line it should reject: ${line.slice(0, 200)}`);
  return r.reason;
}

/** No raw identity value appears anywhere in the serialized event (or reject). */
export function assertNoRaw(value: unknown, raws: readonly string[]): void {
  const json = JSON.stringify(value);
  for (const raw of raws) assert.ok(!json.includes(raw), `raw value ${JSON.stringify(raw)} leaked into ${json}`);
}
