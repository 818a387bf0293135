/**
 * CSV as every export of the platform writes it and every import reads it.
 *
 * RFC 4180: fields separated by commas, quoted with double quotes when they hold a comma, a quote
 * or a line break; quotes doubled inside. Records may span lines; the parser reports the line each
 * record starts on, so an import error names the row an operator sees in an editor.
 *
 * CSV injection (OWASP): a spreadsheet treats a cell that starts with `=`, `+`, `-` or `@` — or a
 * tab or carriage return, which some of them skip before looking — as a formula, and a formula can
 * open links or run commands on the reader's machine. So a written cell that starts with one of
 * them gets a leading apostrophe, which spreadsheets read as "text follows" and do not show. To
 * keep the round trip exact, the apostrophe is also added before a value that already starts with
 * apostrophes followed by such a character, and the reader takes exactly one off those cells.
 */
const FORMULA_START = /^'*[=+\-@\t\r]/;
const NEUTRALISED = /^'+[=+\-@\t\r]/;

/** one cell: formula-neutralised, then quoted when RFC 4180 asks for it */
export function csvField(v: string): string {
  const inert = FORMULA_START.test(v) ? `'${v}` : v;
  return /[",\r\n]/.test(inert) ? `"${inert.replace(/"/g, '""')}"` : inert;
}

/** one record, without its line break */
export function csvLine(values: readonly string[]): string {
  return values.map(csvField).join(',');
}

export interface CsvRecord {
  readonly line: number;
  readonly fields: string[];
}

/** the inverse of csvField for one unquoted cell */
function restore(field: string): string {
  return NEUTRALISED.test(field) ? field.slice(1) : field;
}

/**
 * Reads records back. `asWritten` keeps the neutralising apostrophes, giving the cells exactly as a
 * spreadsheet receives them (what a test of the neutralising has to look at).
 */
export function parseCsv(text: string, opts: { readonly asWritten?: boolean } = {}): CsvRecord[] {
  const restored = opts.asWritten ? (f: string) => f : restore;
  const src = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const out: CsvRecord[] = [];
  let fields: string[] = [];
  let field = '';
  let quoted = false;
  let line = 1;
  let start = 1;
  let any = false;
  for (let i = 0; i < src.length; i++) {
    const c = src[i]!;
    if (quoted) {
      if (c === '"') {
        if (src[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else {
        if (c === '\n') line++;
        field += c;
      }
      continue;
    }
    if (c === '"' && field === '') {
      quoted = true;
      any = true;
    } else if (c === ',') {
      fields.push(restored(field));
      field = '';
      any = true;
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && src[i + 1] === '\n') i++;
      if (any || field !== '') {
        fields.push(restored(field));
        out.push({ line: start, fields });
      }
      fields = [];
      field = '';
      any = false;
      line++;
      start = line;
    } else {
      field += c;
      any = true;
    }
  }
  if (quoted) throw new Error(`unterminated quoted field starting on line ${start}`);
  if (any || field !== '') {
    fields.push(restored(field));
    out.push({ line: start, fields });
  }
  return out;
}
