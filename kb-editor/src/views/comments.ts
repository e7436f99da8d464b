// Comments on selected text (anchored with Yjs relative positions, so they follow the words
// through everyone's edits) and on the article as a whole, with replies and resolving.

import type * as Y from "yjs";
import { api, type Comment } from "../api";
import { resolveAnchor, encodeAnchor } from "../anchors";
import { h, fill, uid } from "../dom";
import type { MarkdownEditor } from "../editor";
import { showError, showMessage } from "../errors";
import { formatTime, t } from "../i18n";

export class CommentsPanel {
  readonly el = h("div", { class: "comments" });
  private readonly listEl = h("div", { class: "comment-list", "data-testid": "comment-list" });
  private comments: Comment[] = [];

  constructor(
    private readonly articleId: string,
    private readonly doc: Y.Doc,
    private readonly body: Y.Text,
    private readonly editor: MarkdownEditor,
  ) {
    const inputId = uid("comment");
    const input = h("textarea", { id: inputId, rows: 3, "data-testid": "comment-input", placeholder: t("commentPlaceholder") });
    const onSelection = h("button", { type: "button", class: "primary", "data-testid": "comment-selection" }, t("commentOnSelection"));
    const general = h("button", { type: "button" }, t("commentGeneral"));
    onSelection.addEventListener("click", async () => {
      const { from, to } = this.editor.selection();
      if (to <= from) {
        showMessage(t("selectFirst"), "error");
        return;
      }
      const quote = this.body.toString().slice(from, to);
      await this.post({ body: input.value.trim(), anchor: encodeAnchor(this.body, from, to), quote }, input);
    });
    general.addEventListener("click", () => void this.post({ body: input.value.trim() }, input));
    fill(
      this.el,
      h("h2", {}, t("comments")),
      h("div", { class: "comment-form" }, h("label", { for: inputId, class: "visually-hidden" }, t("commentPlaceholder")), input, h("div", { class: "row" }, onSelection, general)),
      this.listEl,
    );
    // Anchors move with the text; redraw the highlights once the edit has settled (a local edit
    // arrives here from inside CodeMirror's own update, where dispatching is not allowed).
    let timer = 0;
    this.body.observe(() => {
      window.clearTimeout(timer);
      timer = window.setTimeout(() => this.highlight(), 150);
    });
  }

  async load(): Promise<void> {
    try {
      this.comments = await api.comments(this.articleId);
      this.draw();
    } catch (err) {
      showError(err);
    }
  }

  private async post(c: Parameters<typeof api.addComment>[1], input: HTMLTextAreaElement | HTMLInputElement): Promise<void> {
    if (!c.body) {
      input.focus();
      return;
    }
    try {
      await api.addComment(this.articleId, c);
      input.value = "";
      await this.load();
    } catch (err) {
      showError(err);
    }
  }

  private highlight(): void {
    const ranges = this.comments
      .filter((c) => !c.resolved && c.anchor)
      .map((c) => (c.anchor ? resolveAnchor(this.doc, c.anchor) : null))
      .filter((r): r is { from: number; to: number } => r !== null);
    this.editor.highlight(ranges);
  }

  private draw(): void {
    const roots = this.comments.filter((c) => c.parent === null || c.parent === undefined);
    const replies = (id: Comment["id"]) => this.comments.filter((c) => c.parent !== null && String(c.parent) === String(id));
    fill(
      this.listEl,
      roots.length === 0 ? h("p", { class: "hint" }, t("noComments")) : null,
      roots.map((c) => this.thread(c, replies(c.id))),
    );
    this.highlight();
  }

  private thread(root: Comment, replies: Comment[]): HTMLElement {
    const range = root.anchor ? resolveAnchor(this.doc, root.anchor) : null;
    const replyId = uid("reply");
    const replyInput = h("input", { id: replyId, "aria-label": t("reply") });
    const replyButton = h("button", { type: "button" }, t("reply"));
    replyButton.addEventListener("click", () =>
      void this.post({ body: replyInput.value.trim(), parent: root.id }, replyInput),
    );
    const resolveButton = root.resolved
      ? null
      : h(
          "button",
          {
            type: "button",
            onclick: async () => {
              try {
                await api.resolveComment(root.id);
                await this.load();
              } catch (err) {
                showError(err);
              }
            },
          },
          t("resolve"),
        );
    return h(
      "article",
      { class: `comment${root.resolved ? " resolved" : ""}`, "data-comment": String(root.id) },
      root.quote
        ? h(
            "blockquote",
            {},
            root.quote,
            range
              ? h("button", { type: "button", class: "link", onclick: () => this.editor.select(range.from, range.to) }, t("jumpTo"))
              : root.anchor
                ? h("em", {}, ` (${t("anchorGone")})`)
                : null,
          )
        : null,
      this.entry(root),
      replies.map((r) => h("div", { class: "reply" }, this.entry(r))),
      root.resolved ? h("p", { class: "hint" }, t("resolved")) : h("div", { class: "row" }, replyInput, replyButton, resolveButton),
    );
  }

  private entry(c: Comment): HTMLElement {
    return h("p", {}, h("span", { class: "who" }, c.author), ` · ${formatTime(c.created_at)}: `, h("span", { class: "text" }, c.body));
  }
}
