/**
 * The scrub contract: what a detector finds in text, how a finding is masked, and the options the
 * engine takes. `scan`, `redact`, the Transform stream and the logger plug-ins all go through the
 * engine in src/scrub/engine.ts, which implements these signatures:
 *
 *   findInText(text: string, opts?: ScanOptions): Finding[]        // offsets into `text`
 *   redactText(text: string, opts?: RedactOptions): RedactResult    // structure-preserving
 *
 * Privacy: a Finding never carries the raw value, only `masked` (at most BIN + last four for card
 * numbers, PCI DSS 3.4.1) and, when a key is configured, `hash` (HMAC, for joins).
 */

export const FINDING_TYPES = [
  'card-number',
  'track-data',
  'card-cvv',
  'card-expiry',
  'email',
  'phone',
  'my-number',
  'postal-code-jp',
  'bank-account',
  'credential',
] as const;
export type FindingType = (typeof FINDING_TYPES)[number];

/** Confidence levels, lowest first; `--fail-on` and `minConfidence` compare by this order. */
export const CONFIDENCES = ['low', 'medium', 'high'] as const;
export type Confidence = (typeof CONFIDENCES)[number];

export interface Finding {
  /** Stable rule id of the detector, e.g. `scrub/card-number`. */
  rule: string;
  type: FindingType;
  confidence: Confidence;
  /** UTF-16 offsets of the value in the scanned text: [start, end). */
  start: number;
  end: number;
  /** The value masked for display: card numbers BIN (first 6) + last 4 at most, others per type. */
  masked: string;
  /** Card brand when known (visa, mastercard, amex, discover, jcb, diners, unionpay, maestro). */
  brand?: string;
  /** Why: e.g. `IIN 4 + 16 digits + Luhn; key "card_number"`. Never contains the raw value. */
  reason: string;
}

/** How a value is replaced: BIN + last four, last four, all of it, or a keyed hash. */
export const MASK_MODES = ['bin-last4', 'last4', 'full', 'hash'] as const;
export type MaskMode = (typeof MASK_MODES)[number];

export interface ScanOptions {
  /** Only these types (default: all). */
  types?: readonly FindingType[];
  /** Drop findings below this confidence (default `low`: keep all). */
  minConfidence?: Confidence;
}

export interface RedactOptions extends ScanOptions {
  /** Default `bin-last4` for card numbers (other types: their own short form, see mask.ts). */
  mask?: MaskMode;
  /** HMAC key for `hash` mode (≥ 16 bytes). */
  key?: string;
  /** Redact findings at or above this confidence (default `medium`). */
  redactFrom?: Confidence;
}

export interface RedactResult {
  text: string;
  /** Findings that were masked (offsets into the input text). */
  findings: Finding[];
}
