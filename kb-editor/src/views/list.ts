// The article list of one space, with the filters an editor works from: all, my drafts, waiting
// for my review, expiring soon. Authors can start a new article from here.

import { api, type ArticleSummary, type Space } from "../api";
import { h, fill, uid } from "../dom";
import { showError } from "../errors";
import { formatTime, t, type Key } from "../i18n";
import type { Page } from "../main";

const FILTERS: [string, Key][] = [
  ["all", "filterAll"],
  ["mine", "filterMine"],
  ["review", "filterReview"],
  ["expiring", "filterExpiring"],
];

export function renderList(main: HTMLElement, _user: string): Page {
  let alive = true;
  let spaces: Space[] = [];
  let space = localStorage.getItem("weft-kb-space") ?? "";
  let filter = sessionStorage.getItem("weft-kb-filter") ?? "all";
  const body = h("div", { class: "list-body" });
  fill(main, h("h1", {}, t("articles")), body, h("p", {}, t("loading")));

  const load = async () => {
    try {
      const items = await api.articles(space, filter);
      if (alive) drawTable(items);
    } catch (err) {
      showError(err);
    }
  };

  const table = h("div", { class: "table-wrap" });
  function drawTable(items: ArticleSummary[]): void {
    if (items.length === 0) {
      fill(table, h("p", { class: "empty", "data-testid": "no-articles" }, t("noArticles")));
      return;
    }
    fill(
      table,
      h(
        "table",
        { class: "articles", "data-testid": "article-list" },
        h(
          "thead",
          {},
          h(
            "tr",
            {},
            h("th", { scope: "col" }, t("title")),
            h("th", { scope: "col" }, t("stage")),
            h("th", { scope: "col" }, t("author")),
            h("th", { scope: "col" }, t("lastEditor")),
            h("th", { scope: "col" }, t("expires")),
          ),
        ),
        h(
          "tbody",
          {},
          items.map((a) =>
            h(
              "tr",
              { "data-article": a.id },
              h(
                "td",
                { "data-label": t("title") },
                h("a", { href: `#/a/${encodeURIComponent(a.id)}` }, a.title || "—"),
                a.flagged ? h("span", { class: "flag", title: a.flag_reason ?? "" }, ` ⚑ ${t("flagged")}`) : null,
              ),
              h("td", { "data-label": t("stage") }, h("span", { class: "stage-pill" }, a.stage)),
              h("td", { "data-label": t("author") }, a.author),
              h("td", { "data-label": t("lastEditor") }, a.last_editor ?? "—"),
              h("td", { "data-label": t("expires") }, formatTime(a.verification_expires_at)),
            ),
          ),
        ),
      ),
    );
  }

  function drawControls(): void {
    const current = spaces.find((s) => s.id === space);
    const spaceSelect = h(
      "select",
      { id: "space-select", "data-testid": "space-select" },
      spaces.map((s) => h("option", { value: s.id, selected: s.id === space }, s.name || s.id)),
    );
    spaceSelect.addEventListener("change", () => {
      space = spaceSelect.value;
      localStorage.setItem("weft-kb-space", space);
      drawControls();
      void load();
    });
    const tabs = h(
      "div",
      { class: "filters", role: "group", "aria-label": t("stage") },
      FILTERS.map(([value, key]) =>
        h(
          "button",
          {
            type: "button",
            "aria-pressed": String(value === filter),
            "data-filter": value,
            onclick: () => {
              filter = value;
              sessionStorage.setItem("weft-kb-filter", filter);
              drawControls();
              void load();
            },
          },
          t(key),
        ),
      ),
    );
    const canCreate = !!current && (current.my_roles.includes("kb-author") || current.my_roles.includes("admin"));
    const reasonId = uid("create-reason");
    const newButton = h(
      "button",
      {
        type: "button",
        class: "primary",
        "data-testid": "new-article",
        disabled: !canCreate,
        "aria-describedby": canCreate ? null : reasonId,
        onclick: () => drawNewForm(),
      },
      t("newArticle"),
    );
    fill(
      body,
      h(
        "div",
        { class: "toolbar" },
        h("label", { for: "space-select" }, t("space")),
        spaceSelect,
        tabs,
        h("span", { class: "spacer" }),
        newButton,
        canCreate ? null : h("span", { class: "reason", id: reasonId }, t("onlyAuthorsCreate")),
      ),
      h("div", { id: "new-form" }),
      table,
    );
  }

  function drawNewForm(): void {
    const slot = document.getElementById("new-form");
    if (!slot) return;
    const id = uid("new-title");
    const input = h("input", { id, required: true, "data-testid": "new-title" });
    const form = h(
      "form",
      { class: "card inline-form" },
      h("label", { for: id }, t("newArticleTitle")),
      input,
      h("button", { type: "submit", class: "primary" }, t("create")),
      h("button", { type: "button", onclick: () => slot.replaceChildren() }, t("cancel")),
    );
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      try {
        const article = await api.createArticle(space, input.value.trim(), "");
        location.hash = `#/a/${encodeURIComponent(article.id)}`;
      } catch (err) {
        showError(err);
      }
    });
    fill(slot, form);
    input.focus();
  }

  void (async () => {
    try {
      spaces = await api.spaces();
    } catch (err) {
      showError(err);
      fill(main, h("h1", {}, t("articles")));
      return;
    }
    if (!alive) return;
    if (spaces.length === 0) {
      fill(main, h("h1", {}, t("articles")), h("p", { class: "empty" }, t("noSpaces")));
      return;
    }
    if (!spaces.some((s) => s.id === space)) space = spaces[0].id;
    fill(main, h("h1", {}, t("articles")), body);
    drawControls();
    await load();
  })();

  return {
    leave: () => {
      alive = false;
    },
  };
}
