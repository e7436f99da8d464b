// Renders the server's line diff: inserted lines green with "+", deleted red with "−", the sign in
// text too so the change is not told by colour alone.

import type { Diff } from "./api";
import { h } from "./dom";
import { t } from "./i18n";

export function diffView(diff: Diff): HTMLElement {
  const parts: HTMLElement[] = [];
  if (diff.base_version === null) parts.push(h("p", { class: "hint" }, t("diffFirst")));
  if (diff.title.old !== diff.title.new && diff.base_version !== null) {
    parts.push(h("p", { class: "title-change" }, t("titleChanged", { old: diff.title.old, new: diff.title.new })));
  }
  if (diff.hunks.length === 0) {
    parts.push(h("p", { class: "hint" }, t("noChanges")));
  }
  for (const hunk of diff.hunks) {
    parts.push(
      h(
        "div",
        { class: "hunk" },
        h("div", { class: "hunk-head" }, `@@ −${hunk.old_start},${hunk.old_lines} +${hunk.new_start},${hunk.new_lines} @@`),
        hunk.lines.map((line) =>
          h(
            line.op === "insert" ? "ins" : line.op === "delete" ? "del" : "div",
            { class: `line ${line.op}` },
            line.op === "insert" ? "+ " : line.op === "delete" ? "− " : "  ",
            line.text.replace(/\n$/, ""),
          ),
        ),
      ),
    );
  }
  return h("div", { class: "diff", "data-testid": "diff" }, parts);
}
