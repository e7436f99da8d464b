// Markdown preview: markdown-it with raw HTML disabled (it escapes any HTML the author typed), and
// DOMPurify over the result anyway, so a crafted link or image can never run script.

import MarkdownIt from "markdown-it";
import DOMPurify from "dompurify";

const md = new MarkdownIt({ html: false, linkify: true, breaks: false });

export function renderMarkdown(source: string): string {
  return DOMPurify.sanitize(md.render(source), { USE_PROFILES: { html: true } });
}
