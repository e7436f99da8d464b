// An article's published versions: who published and who approved each, its diff against the
// version before, and restoring one as a new draft.

import { api, type VersionSummary } from "../api";
import { h, fill } from "../dom";
import { diffView } from "../diffview";
import { showError, showMessage } from "../errors";
import { formatTime, t } from "../i18n";
import type { Page } from "../main";

export function renderHistory(main: HTMLElement, id: string, selected: string | null): Page {
  let alive = true;
  const detail = h("section", { class: "version-detail", "data-testid": "version-detail", "aria-live": "polite" });
  const list = h("ol", { class: "versions", "data-testid": "versions" });
  fill(
    main,
    h("div", { class: "article-head" }, h("a", { href: `#/a/${encodeURIComponent(id)}` }, `← ${t("edit")}`)),
    h("h1", {}, t("versions")),
    h("div", { class: "history-grid" }, list, detail),
  );

  const showVersion = async (n: number) => {
    try {
      const v = await api.version(id, n);
      if (!alive) return;
      const restore = h("button", { type: "button", class: "primary", "data-testid": "restore" }, t("restore"));
      restore.addEventListener("click", async () => {
        restore.disabled = true;
        try {
          const article = await api.restore(id, n);
          // Navigating clears old messages; say it once the article page is on its way.
          window.addEventListener("hashchange", () => showMessage(t("restored", { n })), { once: true });
          location.hash = `#/a/${encodeURIComponent(article.id)}`;
        } catch (err) {
          showError(err);
          restore.disabled = false;
        }
      });
      fill(
        detail,
        h("h2", {}, `${t("version", { n: v.version })} · ${v.title}`),
        restore,
        v.diff ? diffView(v.diff) : null,
      );
      for (const item of list.querySelectorAll("[data-version]")) {
        item.toggleAttribute("aria-current", (item as HTMLElement).dataset.version === String(n));
      }
    } catch (err) {
      showError(err);
    }
  };

  const item = (v: VersionSummary) =>
    h(
      "li",
      { "data-version": String(v.version) },
      h(
        "a",
        { href: `#/a/${encodeURIComponent(id)}/history?v=${v.version}` },
        `${t("version", { n: v.version })} · ${v.title}`,
      ),
      h("div", { class: "hint" }, `${t("publishedBy", { user: v.published_by })} · ${formatTime(v.published_at)}`),
      v.approvals.length
        ? h("ul", {}, v.approvals.map((a) => h("li", {}, `${a.stage}: ${t("approvedBy", { user: a.user })}`)))
        : null,
    );

  void (async () => {
    try {
      const versions = await api.versions(id);
      if (!alive) return;
      if (versions.length === 0) {
        fill(list, h("li", { class: "hint" }, t("noVersions")));
        return;
      }
      const sorted = [...versions].sort((a, b) => b.version - a.version);
      fill(list, sorted.map(item));
      await showVersion(selected ? Number(selected) : sorted[0].version);
    } catch (err) {
      showError(err);
    }
  })();

  return {
    leave: () => {
      alive = false;
    },
  };
}
