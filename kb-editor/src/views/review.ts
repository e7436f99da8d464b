// The review panel: which stages are done and who approved, the actions this person may take now
// (absent when the server does not offer them, disabled with the server's reason when it refuses),
// the diff against the last published version, and the article's activity.

import { api, type Action, type Article } from "../api";
import { h, fill, uid } from "../dom";
import { diffView } from "../diffview";
import { showError, showMessage } from "../errors";
import { formatTime, t, type Key } from "../i18n";

const STATE_LABEL: Record<string, Key> = { done: "stageDone", current: "stageCurrent", pending: "stagePending" };

export class ReviewPanel {
  readonly el = h("div", { class: "review" });
  private readonly stagesEl = h("div", { class: "stages", "data-testid": "stages" });
  private readonly actionsEl = h("div", { class: "actions", "data-testid": "actions" });
  private readonly diffEl = h("div", { class: "diff-slot" });
  private readonly activityEl = h("div", { class: "activity" });
  private article: Article;
  /** Ids stay the same across redraws (the panel redraws whenever the article is fetched again,
   * which happens while people type), so a button's aria-describedby never points at an id that
   * a redraw has just replaced. */
  private readonly ids = uid("review");

  constructor(
    article: Article,
    /** Fetches the article again (after an action, or when the text changed under us). */
    private readonly refresh: () => Promise<Article | null>,
  ) {
    this.article = article;
    fill(
      this.el,
      h("h2", {}, t("stages")),
      this.stagesEl,
      this.actionsEl,
      h("h2", {}, t("diffTitle")),
      this.diffEl,
      h("h2", {}, t("transitions")),
      this.activityEl,
    );
    this.update(article);
  }

  update(article: Article): void {
    this.article = article;
    this.drawStages();
    this.drawActions();
  }

  /** Diff and activity cost a request each, so they load when the panel is shown. */
  async loadDetails(): Promise<void> {
    const id = this.article.id;
    try {
      const [diff, transitions] = await Promise.all([api.diff(id), api.transitions(id)]);
      fill(this.diffEl, diffView(diff));
      fill(
        this.activityEl,
        transitions.length === 0
          ? null
          : h(
              "ol",
              { class: "transitions" },
              transitions.map((tr) =>
                h(
                  "li",
                  {},
                  h("span", { class: "who" }, tr.actor),
                  ` ${tr.from} → ${tr.to} · ${formatTime(tr.at)}`,
                  tr.note ? h("q", {}, tr.note) : null,
                ),
              ),
            ),
      );
    } catch (err) {
      showError(err);
    }
  }

  private drawStages(): void {
    fill(
      this.stagesEl,
      h(
        "ol",
        {},
        this.article.stages.map((stage) =>
          h(
            "li",
            { class: `stage ${stage.state}`, "data-stage": stage.name, "data-state": stage.state },
            h("span", { class: "stage-name" }, stage.name),
            h("span", { class: "stage-state" }, ` · ${t(STATE_LABEL[stage.state] ?? "stagePending")}`),
            h(
              "span",
              { class: "stage-count" },
              ` · ${t("approvalsOf", { have: stage.approvals.length, need: stage.approvals_required })}`,
            ),
            stage.approvals.length
              ? h(
                  "ul",
                  {},
                  stage.approvals.map((a) => h("li", {}, `${t("approvedBy", { user: a.user })} · ${formatTime(a.at)}`)),
                )
              : null,
          ),
        ),
      ),
    );
  }

  private drawActions(): void {
    const buttons: HTMLElement[] = [];
    const add = (action: Action, label: Key, run: () => Promise<void>, extra?: HTMLElement) => {
      const allowed = this.article.allowed[action];
      if (!allowed) return; // the server does not offer this action to this person at all
      const reasonId = `${this.ids}-reason-${action}`;
      const button = h(
        "button",
        {
          type: "button",
          class: action === "publish" || action === "approve" ? "primary" : "",
          "data-testid": `action-${action}`,
          disabled: !allowed.ok,
          "aria-describedby": allowed.ok ? null : reasonId,
        },
        t(label),
      );
      button.addEventListener("click", async () => {
        button.disabled = true;
        try {
          await run();
        } catch (err) {
          showError(err);
          // A stale approval or a changed article: show the current state so the next try is informed.
          await this.refreshAndDraw();
        } finally {
          button.disabled = !(this.article.allowed[action]?.ok ?? false);
        }
      });
      buttons.push(
        h(
          "div",
          { class: "action" },
          button,
          allowed.ok
            ? extra
            : h("span", { class: "reason", id: reasonId, "data-testid": `reason-${action}` }, allowed.reason ?? ""),
        ),
      );
    };
    const id = this.article.id;
    add("submit", "submit", async () => {
      await api.submit(id);
      showMessage(t("submitted"));
      await this.refreshAndDraw();
    });
    add("approve", "approve", async () => {
      await api.approve(id, this.article.content_hash);
      showMessage(t("approved"));
      await this.refreshAndDraw();
    });
    const noteId = `${this.ids}-changes-note`;
    const note = h("textarea", { id: noteId, rows: 2, "data-testid": "changes-note" });
    add(
      "request_changes",
      "requestChanges",
      async () => {
        await api.requestChanges(id, note.value.trim());
        showMessage(t("changesRequested"));
        await this.refreshAndDraw();
      },
      h("span", { class: "note" }, h("label", { for: noteId }, t("requestChangesNote")), note),
    );
    add("publish", "publish", async () => {
      const res = await api.publish(id, this.article.content_hash);
      showMessage(t("published", { n: res.version }));
      await this.refreshAndDraw();
    });
    fill(this.actionsEl, buttons);
  }

  private async refreshAndDraw(): Promise<void> {
    const article = await this.refresh();
    if (article) this.update(article);
    await this.loadDetails();
  }
}
