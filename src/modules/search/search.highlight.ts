import type { TextSegment } from './search.types.js';

/**
 * Highlighting as data: a text becomes segments, the matched words flagged. Pages render the
 * flagged ones inside <mark> with JSX (escaped like any text), so a title holding markup can
 * never become markup; the JSON API sends the plain text and the offsets.
 */

/** [start, end) ranges of the words in the text, merged, case-insensitive for Latin letters. */
export function matchRanges(text: string, words: readonly string[]): Array<[number, number]> {
  if (!text || words.length === 0) return [];
  const lower = text.toLowerCase();
  const ranges: Array<[number, number]> = [];
  for (const w of words) {
    if (!w) continue;
    let at = lower.indexOf(w);
    while (at >= 0) {
      ranges.push([at, at + w.length]);
      at = lower.indexOf(w, at + w.length);
    }
  }
  if (ranges.length < 2) return ranges;
  ranges.sort((a, b) => a[0] - b[0] || b[1] - a[1]);
  const merged: Array<[number, number]> = [ranges[0] as [number, number]];
  for (let i = 1; i < ranges.length; i++) {
    const r = ranges[i] as [number, number];
    const last = merged[merged.length - 1] as [number, number];
    if (r[0] <= last[1]) last[1] = Math.max(last[1], r[1]);
    else merged.push([r[0], r[1]]);
  }
  return merged;
}

export function segmentsOf(text: string, ranges: ReadonlyArray<readonly [number, number]>): TextSegment[] {
  const out: TextSegment[] = [];
  let pos = 0;
  for (const [s, e] of ranges) {
    if (s > pos) out.push({ text: text.slice(pos, s), hit: false });
    out.push({ text: text.slice(s, e), hit: true });
    pos = e;
  }
  if (pos < text.length) out.push({ text: text.slice(pos), hit: false });
  return out;
}

export function highlight(text: string, words: readonly string[]): TextSegment[] {
  return segmentsOf(text, matchRanges(text, words));
}

/** Up to `width` characters of the body around the first matched word, as segments. */
export function snippet(body: string, words: readonly string[], width = 90): TextSegment[] {
  if (!body) return [];
  const ranges = matchRanges(body, words);
  let start = 0;
  if (ranges.length > 0) start = Math.max(0, (ranges[0] as [number, number])[0] - 20);
  const end = Math.min(body.length, start + width);
  if (end - start < width) start = Math.max(0, end - width);
  const inside = ranges
    .filter(([s, e]) => e > start && s < end)
    .map(([s, e]) => [Math.max(s, start) - start, Math.min(e, end) - start] as [number, number]);
  const segs = segmentsOf(body.slice(start, end), inside);
  if (start > 0) segs.unshift({ text: '…', hit: false });
  if (end < body.length) segs.push({ text: '…', hit: false });
  return segs;
}

/** Plain text and hit offsets (the JSON API's snippet and highlights). */
export function flatten(segs: readonly TextSegment[]): { text: string; highlights: Array<[number, number]> } {
  let text = '';
  const highlights: Array<[number, number]> = [];
  for (const s of segs) {
    if (s.hit) highlights.push([text.length, text.length + s.text.length]);
    text += s.text;
  }
  return { text, highlights };
}
