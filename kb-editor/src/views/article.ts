// One article: the shared editor (title + Markdown body) with live cursors, who is here, the
// connection state, and side panels for the preview, the review and the comments.

import { api, type Article } from "../api";
import { Collab, type ConnState } from "../collab";
import { h, fill } from "../dom";
import { MarkdownEditor } from "../editor";
import { showError } from "../errors";
import { t, type Key } from "../i18n";
import { renderMarkdown } from "../markdown";
import type { Page } from "../main";
import { bindTitle } from "../title-binding";
import { CommentsPanel } from "./comments";
import { ReviewPanel } from "./review";

type Tab = "preview" | "review" | "comments";
const TABS: [Tab, Key][] = [
  ["preview", "preview"],
  ["review", "review"],
  ["comments", "comments"],
];

function connText(s: ConnState): string {
  switch (s.kind) {
    case "connecting":
      return t("connConnecting");
    case "connected":
      return t("connConnected");
    case "synced":
      return t("connSynced");
    case "offline":
      return s.pending > 0 ? t("connOffline", { n: s.pending }) : t("connOfflineNone");
    case "closed":
      return t("connClosed", { reason: s.reason });
  }
}

export function renderArticle(main: HTMLElement, id: string, user: string): Page {
  let alive = true;
  const cleanups: (() => void)[] = [];
  fill(main, h("p", {}, t("loading")));

  void (async () => {
    let article: Article;
    try {
      article = await api.article(id);
    } catch (err) {
      showError(err);
      fill(main, h("p", {}, h("a", { href: "#/" }, t("back"))));
      return;
    }
    if (!alive) return;

    const collab = new Collab(id, user);
    cleanups.push(() => collab.destroy());

    const stagePill = h("span", { class: "stage-pill", "data-testid": "stage" }, article.stage);
    const conn = h("div", { class: "conn", role: "status", "data-testid": "conn" });
    const reconnect = h("button", { type: "button", hidden: true, onclick: () => collab.reconnect() }, t("reconnect"));
    collab.onState((s) => {
      conn.dataset.state = s.kind;
      conn.dataset.pending = s.kind === "offline" ? String(s.pending) : "0";
      conn.textContent = connText(s);
      reconnect.hidden = s.kind !== "closed";
    });
    const presence = h("ul", { class: "presence", "data-testid": "presence", "aria-label": t("presence") });
    collab.onPeople((people) =>
      fill(
        presence,
        people.map((p) =>
          h(
            "li",
            { style: `--person:${p.color}`, "data-user": p.name },
            h("span", { class: "dot", "aria-hidden": "true" }),
            p.self ? `${p.name} (${t("you")})` : p.name,
          ),
        ),
      ),
    );
    const readOnlyNote = h("p", { class: "readonly-note", role: "note", "data-testid": "readonly", hidden: true });

    const titleInput = h("input", { id: "title-input", class: "title-input", "data-testid": "title-input" });
    cleanups.push(bindTitle(titleInput, collab.title));
    const cmHost = h("div", { class: "cm-host" });
    const editor = new MarkdownEditor(cmHost, collab.body, collab.provider.awareness, t("editorLabel"));
    cleanups.push(() => editor.destroy());

    const setReadOnly = (reason: string | null) => {
      editor.setReadOnly(reason !== null);
      titleInput.readOnly = reason !== null;
      readOnlyNote.hidden = reason === null;
      readOnlyNote.textContent = reason === null ? "" : t("readOnly", { reason: reason || t("readOnlyDefault") });
    };
    const applyEdit = (a: Article) => setReadOnly(a.allowed.edit && !a.allowed.edit.ok ? (a.allowed.edit.reason ?? "") : null);
    applyEdit(article);
    collab.onDenied((reason) => setReadOnly(reason));

    const previewEl = h("div", { class: "preview markdown-body", "data-testid": "preview", lang: "" });
    let previewTimer = 0;
    const drawPreview = () => {
      previewEl.innerHTML = renderMarkdown(collab.body.toString());
    };
    const onBody = () => {
      window.clearTimeout(previewTimer);
      previewTimer = window.setTimeout(drawPreview, 120);
    };
    collab.body.observe(onBody);
    drawPreview();

    const refresh = async (): Promise<Article | null> => {
      try {
        const next = await api.article(id);
        if (!alive) return null;
        article = next;
        stagePill.textContent = next.stage;
        applyEdit(next);
        review.update(next);
        return next;
      } catch (err) {
        showError(err);
        return null;
      }
    };
    const review = new ReviewPanel(article, refresh);
    const comments = new CommentsPanel(id, collab.doc, collab.body, editor);

    // The content hash an approval binds to changes with every edit: keep the article's metadata
    // current while people type, so "Approve" sends the hash of the text on screen.
    // Offline, the edits wait in the document and there is nothing to ask the server: catch up
    // when the network is back.
    let metaTimer = 0;
    const onDocUpdate = () => {
      window.clearTimeout(metaTimer);
      if (!navigator.onLine) return;
      metaTimer = window.setTimeout(() => {
        void refresh().then(() => {
          if (current === "review") void review.loadDetails();
        });
      }, 700);
    };
    collab.doc.on("update", onDocUpdate);
    window.addEventListener("online", onDocUpdate);
    cleanups.push(() => {
      window.removeEventListener("online", onDocUpdate);
      window.clearTimeout(metaTimer);
      window.clearTimeout(previewTimer);
    });

    let current: Tab = "preview";
    const panels: Record<Tab, HTMLElement> = { preview: previewEl, review: review.el, comments: comments.el };
    const tabButtons = TABS.map(([tab, label]) =>
      h(
        "button",
        {
          type: "button",
          role: "tab",
          id: `tab-${tab}`,
          "aria-controls": `panel-${tab}`,
          "data-testid": `tab-${tab}`,
        },
        t(label),
      ),
    );
    const panelHosts = TABS.map(([tab]) =>
      h("div", { role: "tabpanel", id: `panel-${tab}`, "aria-labelledby": `tab-${tab}`, class: "panel" }, panels[tab]),
    );
    const show = (tab: Tab) => {
      current = tab;
      TABS.forEach(([name], i) => {
        tabButtons[i].setAttribute("aria-selected", String(name === tab));
        tabButtons[i].tabIndex = name === tab ? 0 : -1;
        panelHosts[i].hidden = name !== tab;
      });
      if (tab === "review") void review.loadDetails();
      if (tab === "comments") void comments.load();
    };
    tabButtons.forEach((button, i) => {
      button.addEventListener("click", () => show(TABS[i][0]));
      // Arrow keys move between tabs, as the WAI-ARIA tabs pattern expects.
      button.addEventListener("keydown", (event) => {
        if (event.key !== "ArrowRight" && event.key !== "ArrowLeft") return;
        const next = (i + (event.key === "ArrowRight" ? 1 : TABS.length - 1)) % TABS.length;
        show(TABS[next][0]);
        tabButtons[next].focus();
      });
    });
    show("preview");

    fill(
      main,
      h(
        "div",
        { class: "article-head" },
        h("a", { href: "#/" }, `← ${t("back")}`),
        stagePill,
        conn,
        reconnect,
        presence,
        h("a", { href: `#/a/${encodeURIComponent(id)}/history`, "data-testid": "history-link" }, t("history")),
      ),
      readOnlyNote,
      h(
        "div",
        { class: "article-grid" },
        h(
          "section",
          { class: "editor-col", "aria-label": t("edit") },
          h("label", { for: "title-input", class: "visually-hidden" }, t("titleLabel")),
          titleInput,
          cmHost,
        ),
        h(
          "section",
          { class: "side-col", "aria-label": t("review") },
          h("div", { role: "tablist", class: "tabs" }, tabButtons),
          panelHosts,
        ),
      ),
    );
  })();

  return {
    leave: () => {
      alive = false;
      for (const fn of cleanups.reverse()) fn();
    },
  };
}
