/**
 * The scrub detector contract (the rule-module pattern): each detector is one file with a stable
 * id `scrub/<type>`, docs (what, why, fix), and bad/good examples that a meta-test runs. Detection
 * code is called by the engine at its hook (a digit run, an `@`, a `〒`, a header keyword) and
 * reports hits through `emit`. A hit carries the normalised value only inside the engine; the
 * public Finding carries the mask, never the value.
 */
import type { Confidence, FindingType } from '../types.ts';

export interface ScrubExample {
  text: string;
  /** For bad examples: the findings expected, in order (type and confidence; `masked` when given). */
  expect?: readonly { type: FindingType; confidence: Confidence; masked?: string }[];
}

export interface ScrubRule {
  /** `scrub/<type>`; permanent, never reused. */
  id: `scrub/${string}`;
  type: FindingType;
  docs: {
    title: string;
    /** What it catches, how, and why it matters. */
    description: string;
    fix: string;
    references: readonly string[];
  };
  examples: { bad: readonly ScrubExample[]; good: readonly ScrubExample[] };
}

/** Identity function that checks the shape of a rule. */
export function defineScrubRule(r: ScrubRule): ScrubRule {
  return r;
}

/** What a detector reports inside the engine. */
export interface Hit {
  type: FindingType;
  confidence: Confidence;
  start: number;
  end: number;
  /** Normalised value (digits, lower-cased address, token) for masking and hashing. Never leaves the engine. */
  value: string;
  /** Text kept in front of the mask (e.g. `Bearer `). */
  prefix?: string;
  brand?: string;
  reason: string;
}

/** Where hits go while one text is scanned. */
export const hits: Hit[] = [];

const RANK: Readonly<Record<Confidence, number>> = { low: 0, medium: 1, high: 2 };

/** The scan in progress: hits below `minRank` (0 low, 1 medium, 2 high) are not kept. */
export const scanState = { minRank: 0 };

/** Whether a hit of confidence `c` would be kept (detectors check before building costly values). */
export function wanted(c: Confidence): boolean {
  return RANK[c] >= scanState.minRank;
}

export function emit(h: Hit): void {
  if (RANK[h.confidence] >= scanState.minRank) hits.push(h);
}

/** Confidence one step down (`high` → `medium` → `low`). */
export function lower(c: Confidence): Confidence {
  return c === 'high' ? 'medium' : 'low';
}
