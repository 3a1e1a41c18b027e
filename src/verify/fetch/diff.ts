/**
 * What changed between two snapshots of the same provider target: one unified diff per added,
 * removed or changed file (3 lines of context, `--- a/<file>` / `+++ b/<file>` headers labelled
 * with each snapshot's time and version), in file-name order. Snapshot JSON is pretty-printed
 * with sorted keys, so a changed value shows as a changed line.
 */
import { createTwoFilesPatch } from 'diff';
import type { Snapshot } from './snapshot.ts';

export interface FileDiff {
  file: string;
  change: 'added' | 'removed' | 'changed';
  /** A unified diff of this file alone. */
  unified: string;
}

export interface SnapshotDiff {
  /** Changed files only, by name; empty when nothing changed. */
  files: FileDiff[];
  /** A summary line and every file's diff; the empty string when nothing changed. */
  text(): string;
}

const CONTEXT_LINES = 3;

function label(s: Snapshot): string {
  return s.version !== undefined ? `${s.fetchedAt} (version ${s.version})` : s.fetchedAt;
}

function unified(file: string, before: string | undefined, after: string | undefined, older: Snapshot, newer: Snapshot): string {
  const oldName = before === undefined ? '/dev/null' : `a/${file}`;
  const newName = after === undefined ? '/dev/null' : `b/${file}`;
  const patch = createTwoFilesPatch(oldName, newName, before ?? '', after ?? '', before === undefined ? undefined : label(older), after === undefined ? undefined : label(newer), {
    context: CONTEXT_LINES,
  });
  // jsdiff starts with a row of "=" that unified-diff readers do not expect.
  return patch.replace(/^=+\n/, '');
}

export function diffSnapshots(older: Snapshot, newer: Snapshot): SnapshotDiff {
  if (older.provider !== newer.provider || older.target !== newer.target) {
    throw new RangeError(`cannot diff ${older.provider} ${older.target} against ${newer.provider} ${newer.target}`);
  }
  const names = [...new Set([...Object.keys(older.files), ...Object.keys(newer.files)])].sort();
  const files: FileDiff[] = [];
  for (const file of names) {
    const before = Object.hasOwn(older.files, file) ? older.files[file] : undefined;
    const after = Object.hasOwn(newer.files, file) ? newer.files[file] : undefined;
    if (before === after) continue;
    const change = before === undefined ? 'added' : after === undefined ? 'removed' : 'changed';
    files.push({ file, change, unified: unified(file, before, after, older, newer) });
  }
  return {
    files,
    text() {
      if (files.length === 0) return '';
      const n = files.length === 1 ? '1 file' : `${files.length} files`;
      return [`${newer.provider} ${newer.target}: ${n} changed between ${label(older)} and ${label(newer)}`, ...files.map((f) => f.unified)].join('\n');
    },
  };
}
