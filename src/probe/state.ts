/**
 * Probe state in SQLite (node:sqlite): each cycle's verdicts per (edge, URL, technique), and per
 * (edge, URL) the last known-good cycle, when every technique was ok. Drift compares against it.
 * Nothing personal is stored: verdicts, messages and timestamps only.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { CwError } from '../core/errors.ts';
import type { ProbeFinding, VerdictKind } from './types.ts';

export interface KnownGood {
  at: number;
  verdicts: Record<string, VerdictKind>;
}

export class ProbeState {
  readonly #db: DatabaseSync;

  constructor(path: string) {
    try {
      if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
      this.#db = new DatabaseSync(path);
    } catch (e) {
      throw new CwError('CW_INPUT_UNREADABLE', `probe.state ${path}: cannot open the state database (${(e as Error).message}); point probe.state at a writable file or use :memory:`);
    }
    this.#db.exec(`
      CREATE TABLE IF NOT EXISTS cycles (id INTEGER PRIMARY KEY, started_at INTEGER NOT NULL, ended_at INTEGER);
      CREATE TABLE IF NOT EXISTS results (
        cycle_id INTEGER NOT NULL, edge TEXT NOT NULL, url TEXT NOT NULL, target TEXT NOT NULL, technique TEXT NOT NULL,
        verdict TEXT NOT NULL, severity TEXT NOT NULL, message TEXT NOT NULL
      );
      CREATE INDEX IF NOT EXISTS results_by_target ON results (edge, target, cycle_id);
      CREATE TABLE IF NOT EXISTS known_good (edge TEXT NOT NULL, url TEXT NOT NULL, at INTEGER NOT NULL, verdicts TEXT NOT NULL, PRIMARY KEY (edge, url));
    `);
  }

  startCycle(at: number): number {
    const r = this.#db.prepare('INSERT INTO cycles (started_at) VALUES (?)').run(at);
    return Number(r.lastInsertRowid);
  }

  knownGood(edge: string, url: string): KnownGood | undefined {
    const row = this.#db.prepare('SELECT at, verdicts FROM known_good WHERE edge = ? AND url = ?').get(edge, url) as { at: number; verdicts: string } | undefined;
    return row ? { at: row.at, verdicts: JSON.parse(row.verdicts) as Record<string, VerdictKind> } : undefined;
  }

  /** Record a cycle's findings; targets where every technique was ok become the new known-good. */
  endCycle(cycleId: number, at: number, findings: readonly ProbeFinding[]): void {
    const insert = this.#db.prepare('INSERT INTO results (cycle_id, edge, url, target, technique, verdict, severity, message) VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
    const good = this.#db.prepare('INSERT INTO known_good (edge, url, at, verdicts) VALUES (?, ?, ?, ?) ON CONFLICT (edge, url) DO UPDATE SET at = excluded.at, verdicts = excluded.verdicts');
    const byTarget = new Map<string, ProbeFinding[]>();
    this.#db.exec('BEGIN');
    try {
      for (const f of findings) {
        insert.run(cycleId, f.edge, f.url, f.target, f.technique, f.verdict, f.severity, f.message);
        const k = `${f.edge}\u0000${f.target}`;
        byTarget.set(k, [...(byTarget.get(k) ?? []), f]);
      }
      for (const [k, fs] of byTarget) {
        if (fs.every((f) => f.verdict === 'ok')) {
          const [edge, url] = k.split('\u0000') as [string, string];
          good.run(edge, url, at, JSON.stringify(Object.fromEntries(fs.map((f) => [f.technique, f.verdict]))));
        }
      }
      this.#db.prepare('UPDATE cycles SET ended_at = ? WHERE id = ?').run(at, cycleId);
      this.#db.exec('COMMIT');
    } catch (e) {
      this.#db.exec('ROLLBACK');
      throw e;
    }
  }

  close(): void {
    this.#db.close();
  }
}
