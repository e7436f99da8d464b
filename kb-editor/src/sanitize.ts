// Search snippets carry only `<b>` highlights around HTML-escaped text; let exactly that through.

import DOMPurify from "dompurify";

export function sanitizeSnippet(html: string): string {
  return DOMPurify.sanitize(html, { ALLOWED_TAGS: ["b"], ALLOWED_ATTR: [] });
}
