// A text too long for one customer-service message, cut into parts that each fit. The mini-program send page
// states no limit for `text.content`; the official-account and WeCom pages state 2048 bytes of UTF-8 for the
// same API family (developer.work.weixin.qq.com/document/path/90236), and longer text is cut or refused. The
// kit keeps each part under 2000 UTF-8 bytes, cut where a reader would: a blank line, a line end, a sentence
// end, a space or comma; never inside a character made of several code units, nor inside an <a> tag.

export interface SplitOptions {
  /** Most UTF-8 bytes in one part. */
  partBytes?: number;
  /** Most parts; what does not fit is dropped and `truncated` says so. */
  maxParts?: number;
}

export const PART_BYTES = 2000;
/** As many parts as the quota after a user's message allows (5 in 48 h): more could never all be sent. */
export const MAX_PARTS = 5;

const bytesOf = (text: string) => Buffer.byteLength(text, "utf8");

/** Anchors whole (they must not be cut; one too long for any part is cut as text), the rest grapheme by grapheme. */
function unitsOf(text: string, partBytes: number): string[] {
  const graphemes = new Intl.Segmenter("zh", { granularity: "grapheme" });
  const units: string[] = [];
  let at = 0;
  for (const anchor of text.matchAll(/<a\b[^>]*>[\s\S]*?<\/a>/gi)) {
    for (const { segment } of graphemes.segment(text.slice(at, anchor.index))) units.push(segment);
    if (bytesOf(anchor[0]) <= partBytes) units.push(anchor[0]);
    else for (const { segment } of graphemes.segment(anchor[0])) units.push(segment);
    at = anchor.index + anchor[0].length;
  }
  for (const { segment } of graphemes.segment(text.slice(at))) units.push(segment);
  return units;
}

/** How good a place to cut is after `unit` (followed by `next`): higher is better, 0 is no boundary. */
function breakRank(unit: string, previous: string | undefined): number {
  if (/^\r?\n$/.test(unit)) return previous !== undefined && /^\r?\n$/.test(previous) ? 4 : 3;
  if (/^[。！？!?；;…]$/.test(unit) || (unit === "." && previous !== undefined && /\S/.test(previous)))
    return 2;
  if (/^[\s，,、：:]$/.test(unit)) return 1;
  return 0;
}

/** The parts, in order; `truncated` when the text needed more than `maxParts`. */
export function splitText(text: string, options: SplitOptions = {}): { parts: string[]; truncated: boolean } {
  const { partBytes = PART_BYTES, maxParts = MAX_PARTS } = options;
  if (bytesOf(text) <= partBytes) return { parts: [text], truncated: false };
  const units = unitsOf(text, partBytes);
  const sizes = units.map(bytesOf);
  const parts: string[] = [];
  let start = 0;
  while (start < units.length && parts.length < maxParts) {
    let bytes = 0;
    let end = start;
    // The best cut: the highest rank in the second half of the part (a short first part helps nobody),
    // else the last boundary of any rank, else as much as fits.
    let best = { rank: 0, at: -1 };
    let lastBoundary = -1;
    while (end < units.length && bytes + (sizes[end] ?? 0) <= partBytes) {
      bytes += sizes[end] ?? 0;
      end += 1;
      const rank = breakRank(units[end - 1] ?? "", units[end - 2]);
      if (rank === 0) continue;
      lastBoundary = end;
      if (bytes >= partBytes / 2 && rank >= best.rank) best = { rank, at: end };
    }
    if (end === start) end = start + 1; // one grapheme larger than a part (never in real text): on its own
    const cut =
      end === units.length ? end : best.at > 0 ? best.at : lastBoundary > start ? lastBoundary : end;
    const part = units.slice(start, cut).join("").trimEnd();
    if (part !== "") parts.push(part);
    start = cut;
    while (start < units.length && /^\s$/.test(units[start] ?? "")) start += 1;
  }
  return { parts, truncated: start < units.length };
}
