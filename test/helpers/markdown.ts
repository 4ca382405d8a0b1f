/** Reading the documentation's Markdown: fenced code blocks, links, heading anchors. */

export interface CodeBlock {
  /** The fence's info string: js, sh or text. */
  lang: string;
  code: string;
  /** 1-based line of the opening fence. */
  line: number;
  /** The reason given by a `<!-- not run: reason -->` comment on the line before the fence, if any. */
  notRun?: string;
}

export interface Link {
  target: string;
  line: number;
}

const NOT_RUN = /^<!-- not run: (.+) -->$/;
const FENCE = /^(\s*)```(.*)$/;

/** Every fenced block, in order. An unterminated fence is an error. */
export function codeBlocks(markdown: string): CodeBlock[] {
  const lines = markdown.split('\n');
  const blocks: CodeBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = FENCE.exec(lines[i]);
    if (!open) continue;
    // A fence may be indented (inside a list item); its closing fence and its lines carry the same indent.
    const end = lines.findIndex((l, k) => k > i && l.trim() === '```');
    if (end < 0) throw new Error(`unterminated code block at line ${i + 1}`);
    const code = lines.slice(i + 1, end).map((l) => l.slice(open[1].length));
    const before = i > 0 ? NOT_RUN.exec(lines[i - 1].trim()) : null;
    blocks.push({ lang: open[2].trim(), code: code.join('\n') + '\n', line: i + 1, notRun: before?.[1] });
    i = end;
  }
  return blocks;
}

/** The text outside fenced blocks (links and headings are looked for there only). */
function prose(markdown: string): string[] {
  let inside = false;
  return markdown.split('\n').map((line) => {
    if (FENCE.test(line)) {
      inside = !inside;
      return '';
    }
    return inside ? '' : line;
  });
}

/** Targets of inline links and images, `[text](target)` and `![alt](target)`. */
export function links(markdown: string): Link[] {
  const found: Link[] = [];
  prose(markdown).forEach((text, k) => {
    for (const m of text.replace(/`[^`]*`/g, '').matchAll(/\]\(([^)\s]+)\)/g))
      found.push({ target: m[1], line: k + 1 });
  });
  return found;
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
export function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/`/g, '')
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

/** Anchors of every heading of the page (duplicates get -1, -2, … as on GitHub). */
export function anchors(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const result = new Set<string>();
  for (const line of prose(markdown)) {
    const h = /^#{1,6}\s+(.*)$/.exec(line);
    if (!h) continue;
    const base = slug(h[1]);
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    result.add(n === 0 ? base : `${base}-${n}`);
  }
  return result;
}
