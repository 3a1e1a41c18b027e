/**
 * Small CSV helpers for scope: an RFC 4180 reader for the sessions map and the relations file
 * (quoted fields, doubled quotes, CRLF, newlines inside quotes), and the writer behind
 * `peopleCsv`. No dependency; inputs are small next to the logs.
 */

export interface CsvRow {
  /** 1-based line where the row starts (for `file:line` notices). */
  line: number;
  fields: string[];
  /** The row ended inside an open quote (malformed). */
  unterminated: boolean;
}

/** Splits CSV text into rows. Blank lines are skipped; a quote left open ends the row at the end of the text. */
export function parseCsv(text: string): CsvRow[] {
  const rows: CsvRow[] = [];
  let i = 0;
  let line = 1;
  const n = text.length;
  if (text.charCodeAt(0) === 0xfeff) i = 1;
  while (i < n) {
    const startLine = line;
    const fields: string[] = [];
    let field = '';
    let quoted = false;
    let unterminated = false;
    let rowDone = false;
    let blank = true;
    while (i < n && !rowDone) {
      const c = text[i]!;
      if (quoted) {
        if (c === '"') {
          if (text[i + 1] === '"') {
            field += '"';
            i += 2;
          } else {
            quoted = false;
            i++;
          }
        } else {
          if (c === '\n') line++;
          field += c;
          i++;
        }
        continue;
      }
      if (c === '"' && field === '') {
        quoted = true;
        blank = false;
        i++;
      } else if (c === ',') {
        fields.push(field);
        field = '';
        blank = false;
        i++;
      } else if (c === '\n' || c === '\r') {
        if (c === '\r' && text[i + 1] === '\n') i++;
        i++;
        line++;
        rowDone = true;
      } else {
        field += c;
        if (c !== ' ' && c !== '\t') blank = false;
        i++;
      }
    }
    if (quoted) unterminated = true;
    fields.push(field);
    if (blank && fields.length === 1) continue;
    rows.push({ line: startLine, fields, unterminated });
  }
  return rows;
}

/** One CSV field, quoted when it holds a comma, a quote or a line break (RFC 4180). */
export function csvField(v: string | number): string {
  const s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Rows → CSV text with CRLF line ends (RFC 4180). */
export function formatCsv(rows: ReadonlyArray<ReadonlyArray<string | number>>): string {
  return rows.map((r) => r.map(csvField).join(',')).join('\r\n') + '\r\n';
}
