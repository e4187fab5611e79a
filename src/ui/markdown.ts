/**
 * The assistant's text as a small markdown subset, built as Lit templates: paragraphs (blank lines),
 * `- ` / `* ` / `1. ` lists, `**bold**`, `*italic*` / `_italic_`, `` `code` `` and `[text](url)` links.
 * The model's text only ever goes into text bindings: no HTML it writes reaches the DOM (`<img
 * onerror>` shows as those characters), and there is no innerHTML or unsafeHTML anywhere.
 *
 * Links are links only to an allowed origin (`link-origins`), over http(s), without credentials in
 * the URL; they open in a new tab with `rel="noopener noreferrer"` (the page is not exposed to the
 * site, nor the site told where the user came from). Anything else (javascript:, data:, a relative or
 * protocol-relative URL, another origin) shows as its text alone: a model can be talked into writing
 * a phishing link, so a page lists where its assistant may send people.
 *
 * Streaming: the text grows a few words at a time and is rendered again each time; a marker not yet
 * closed (`**bo`) shows as typed until its closing half arrives. Part of the transcript part: Lit's
 * `html` comes in as an argument (a part imports nothing at run time).
 */
import type { html as Html, TemplateResult } from 'lit';

type Piece = string | TemplateResult | Piece[];

/** Characters without which a text is plain (the common case: no parsing at all). */
const MARKUP = /[*_`[\n]/;
/** A list item's marker at the start of a line: `- `, `* `, `1. ` (or `1) `). */
const ITEM = /^\s{0,3}(?:[-*+]|(\d{1,9})[.)])\s+/;
/**
 * The inline forms, earliest first: code (nothing inside it is markup), a link, bold, italic. Each
 * needs its closing half; emphasis may not start or end with a space (`2 * 3 * 4` stays text).
 */
const INLINE =
  /`([^`\n]+)`|\[([^\]\n]+)\]\(([^()\s]+)\)|\*\*(?=\S)([^*\n]+?)(?<=\S)\*\*|\*(?=[^\s*])([^*\n]+?)(?<=\S)\*|(?<![\w])_(?=\S)([^_\n]+?)(?<=\S)_(?![\w])/g;

/** Whether `raw` may be a link here: an absolute http(s) URL, no credentials, its origin allowed. */
export function linkAllowed(raw: string, origins: ReadonlySet<string>): URL | undefined {
  let url: URL;
  try {
    url = new URL(raw); // relative and protocol-relative URLs throw without a base: not links
  } catch {
    return undefined;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return undefined;
  if (url.username || url.password) return undefined;
  return origins.has(url.origin) ? url : undefined;
}

/** `link-origins` as a set of origins (anything that is not an origin is left out). */
export function originsOf(list: string): Set<string> {
  const origins = new Set<string>();
  for (const word of list.split(/\s+/)) {
    try {
      if (word) origins.add(new URL(word).origin);
    } catch {
      // not a URL: not an origin
    }
  }
  return origins;
}

export function markdown(text: string, html: typeof Html, origins: ReadonlySet<string>): Piece | Piece[] {
  if (!MARKUP.test(text)) return text;
  const inline = (source: string, depth = 0): Piece[] => {
    const out: Piece[] = [];
    let at = 0;
    for (const m of source.matchAll(INLINE)) {
      if (m.index! > at) out.push(source.slice(at, m.index));
      at = m.index! + m[0].length;
      const [, code, label, href, bold, star, underscore] = m;
      // Emphasis inside emphasis, a level or two; deeper is text (no pathological nesting).
      const inner = (s: string) => (depth < 2 ? inline(s, depth + 1) : [s]);
      if (code !== undefined) out.push(html`<code>${code}</code>`);
      else if (label !== undefined) {
        const url = linkAllowed(href!, origins);
        out.push(
          url ? html`<a href=${url.href} target="_blank" rel="noopener noreferrer">${inner(label)}</a>` : inner(label),
        );
      } else if (bold !== undefined) out.push(html`<strong>${inner(bold)}</strong>`);
      else out.push(html`<em>${inner((star ?? underscore)!)}</em>`);
    }
    if (at < source.length) out.push(source.slice(at));
    return out;
  };
  // Blocks: paragraphs split by blank lines, and in them runs of list items ("Options:\n- a\n- b").
  const blocks: Piece[] = [];
  for (const block of text.split(/\n[ \t]*\n/)) {
    let run: string[] = [];
    let list: Array<{ line: string; ordered: boolean }> = [];
    const flushText = () => {
      if (run.join('').trim()) blocks.push(html`<span class="md-p">${inline(run.join(' '))}</span>`);
      run = [];
    };
    const flushList = () => {
      if (!list.length) return;
      const rows = list.map(({ line }) => html`<li>${inline(line)}</li>`);
      blocks.push(list[0]!.ordered ? html`<ol>${rows}</ol>` : html`<ul>${rows}</ul>`);
      list = [];
    };
    for (const line of block.split('\n')) {
      const item = ITEM.exec(line);
      if (item) {
        flushText();
        list.push({ line: line.slice(item[0].length), ordered: item[1] !== undefined });
      } else {
        flushList();
        run.push(line);
      }
    }
    flushText();
    flushList();
  }
  return blocks;
}
