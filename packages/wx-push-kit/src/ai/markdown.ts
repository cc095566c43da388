// A model's Markdown as plain text WeChat shows well: the customer-service chat renders no Markdown, so
// `**bold**`, `# 标题` and `[链接](url)` would reach the user as raw symbols.

export function toPlainText(markdown: string): string {
  return (
    markdown
      // Code fences: the code stays, the fences go.
      .replace(/^```[^\n]*\n([\s\S]*?)^```[ \t]*$/gm, "$1")
      .replace(/`([^`\n]+)`/g, "$1")
      // Images, then links: the words, and the address after them.
      .replace(/!\[([^\]]*)\]\(([^)\s]+)[^)]*\)/g, "$1")
      .replace(/\[([^\]]+)\]\(([^)\s]+)[^)]*\)/g, (_whole, words: string, url: string) =>
        words === url ? url : `${words}（${url}）`,
      )
      // Headings, quotes, rules and list bullets.
      .replace(/^#{1,6}[ \t]+/gm, "")
      .replace(/^>[ \t]?/gm, "")
      .replace(/^[ \t]*([-*_])([ \t]*\1){2,}[ \t]*$/gm, "")
      .replace(/^([ \t]*)[-*+][ \t]+/gm, "$1• ")
      // Emphasis: bold and italic markers around words.
      .replace(/(\*\*|__)(?=\S)([\s\S]*?\S)\1/g, "$2")
      .replace(/(^|[^*\w])\*(?=\S)([^*\n]*?\S)\*(?!\*)/g, "$1$2")
      .replace(/~~(?=\S)([\s\S]*?\S)~~/g, "$1")
      // Table rows: cells apart by spaces, the separator row gone.
      .replace(/^[ \t]*\|?[ \t]*:?-{3,}:?[ \t]*(\|[ \t]*:?-{3,}:?[ \t]*)*\|?[ \t]*$/gm, "")
      .replace(/^[ \t]*\|(.*)\|[ \t]*$/gm, (_row, cells: string) =>
        cells
          .split("|")
          .map((cell) => cell.trim())
          .join("  "),
      )
      .replace(/\n{3,}/g, "\n\n")
      .trim()
  );
}
