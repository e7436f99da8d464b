// Search over published articles; the server returns snippets whose only markup is <b> around
// the matched words, and that is all the page lets through.

import { api, type Space } from "../api";
import { h, fill } from "../dom";
import { showError } from "../errors";
import { t } from "../i18n";
import { sanitizeSnippet } from "../sanitize";
import type { Page } from "../main";

export function renderSearch(main: HTMLElement, initial: string, initialSpace: string): Page {
  let alive = true;
  const input = h("input", {
    id: "search-q",
    type: "search",
    value: initial,
    "data-testid": "search-input",
    placeholder: t("searchPlaceholder"),
  });
  const spaceSelect = h("select", { id: "search-space", "aria-label": t("space") }, h("option", { value: "" }, t("searchSpaceAll")));
  const results = h("div", { class: "results", "data-testid": "search-results", "aria-live": "polite" });
  const form = h(
    "form",
    { class: "toolbar", role: "search" },
    h("label", { for: "search-q", class: "visually-hidden" }, t("search")),
    input,
    spaceSelect,
    h("button", { type: "submit", class: "primary" }, t("search")),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const q = input.value.trim();
    const space = spaceSelect.value;
    location.hash = `#/search?q=${encodeURIComponent(q)}${space ? `&space=${encodeURIComponent(space)}` : ""}`;
  });
  fill(main, h("h1", {}, t("search")), form, results);
  input.focus();

  void api.spaces().then(
    (spaces: Space[]) => {
      if (!alive) return;
      for (const s of spaces) spaceSelect.append(h("option", { value: s.id, selected: s.id === initialSpace }, s.name || s.id));
    },
    (err) => showError(err),
  );

  if (initial) {
    void (async () => {
      try {
        const res = await api.search(initial, initialSpace);
        if (!alive) return;
        if (res.hits.length === 0) {
          fill(results, h("p", { class: "empty" }, t("noHits", { q: initial })));
          return;
        }
        const list = h(
          "ol",
          { class: "hits" },
          res.hits.map((hit) => {
            const snippet = h("p", { class: "snippet" });
            snippet.innerHTML = sanitizeSnippet(hit.snippet_html);
            return h(
              "li",
              { "data-article": hit.article_id },
              h("a", { href: `#/a/${encodeURIComponent(hit.article_id)}` }, hit.title),
              h("span", { class: "hint" }, ` · ${hit.space} · v${hit.version}`),
              snippet,
              hit.tags.length ? h("p", { class: "hint" }, `${t("tags")}: ${hit.tags.join(", ")}`) : null,
            );
          }),
        );
        fill(results, h("p", { class: "hint" }, t("hits", { n: res.hits.length, ms: res.took_ms })), list);
      } catch (err) {
        showError(err);
      }
    })();
  }

  return {
    leave: () => {
      alive = false;
    },
  };
}
