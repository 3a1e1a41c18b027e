/** Fixtures for the scrub I/O tests: a temporary directory and published test card numbers only. */
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after } from 'node:test';

/** Published test PANs (brand test numbers), never real cards. */
export const CARDS = ['4111111111111111', '5555555555554444', '6011111111111117', '3530111333300000', '4012888888881881', '5105105105105100'] as const;

/** BIN + last four, as the engine masks a card number. */
export const masked = (pan: string) => `${pan.slice(0, 6)}${'*'.repeat(pan.length - 10)}${pan.slice(-4)}`;

/** A fresh temporary directory removed after the test file; `put` writes a file in it. */
export function tempDir(prefix: string): { dir: string; put: (name: string, data: string | Buffer) => string } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  after(() => rmSync(dir, { recursive: true, force: true }));
  return {
    dir,
    put: (name, data) => {
      const p = join(dir, name);
      mkdirSync(dirname(p), { recursive: true });
      writeFileSync(p, data);
      return p;
    },
  };
}

/** No raw test card number anywhere in `text`. */
export function hasRawCard(text: string): boolean {
  return CARDS.some((c) => text.includes(c)) || /\b3782822463\d{5}\b/.test(text);
}
