// Entry point: the page frame (header, messages, main), sign-in, and hash routing between the
// list, an article, its history and search.

import "./style.css";
import { api, ApiError, type Me } from "./api";
import { h, fill } from "./dom";
import { clearMessages, showError } from "./errors";
import { currentLang, setLang, t, type Lang } from "./i18n";
import { renderList } from "./views/list";
import { renderHistory } from "./views/history";
import { renderSearch } from "./views/search";
import { renderLogin } from "./views/login";

export interface Page {
  /** Called when the person navigates away: close sockets, drop listeners. */
  leave?: () => void;
}

const SIGNED_IN = "weft-kb-signed-in";
let me: Me | null = null;
let page: Page = {};

const header = h("header", { class: "topbar" });
const messages = h("div", { id: "messages", "aria-live": "polite" });
const main = h("main", { id: "content", tabindex: "-1" });

function renderHeader(): void {
  const langSelect = h(
    "select",
    { "aria-label": t("language"), "data-testid": "language" },
    h("option", { value: "en", selected: currentLang() === "en" }, "English"),
    h("option", { value: "zh", selected: currentLang() === "zh" }, "中文"),
  );
  langSelect.addEventListener("change", () => {
    setLang(langSelect.value as Lang);
    void route();
  });
  const nav = me
    ? h(
        "nav",
        { "aria-label": t("appName") },
        h("a", { href: "#/" }, t("articles")),
        h("a", { href: "#/search" }, t("search")),
      )
    : null;
  const account = me
    ? h(
        "span",
        { class: "account" },
        h("span", { "data-testid": "whoami" }, t("signedInAs", { user: me.user.username })),
        h("button", { type: "button", onclick: () => void signOut() }, t("signOut")),
      )
    : null;
  fill(
    header,
    h("a", { class: "skip", href: "#content", onclick: skipToContent }, t("skip")),
    h("strong", { class: "brand" }, t("appName")),
    nav,
    h("span", { class: "spacer" }),
    langSelect,
    account,
  );
}

function skipToContent(event: Event): void {
  event.preventDefault();
  main.focus();
}

async function signOut(): Promise<void> {
  try {
    await api.logout();
  } catch (err) {
    if (!(err instanceof ApiError && err.status === 401)) showError(err);
  }
  me = null;
  localStorage.removeItem(SIGNED_IN);
  location.hash = "#/";
  await route();
}

async function route(): Promise<void> {
  page.leave?.();
  page = {};
  renderHeader();
  if (!me) {
    // The cookie is HttpOnly, so remember (not secretly) that this browser signed in; without that,
    // asking /me would only produce a 401 in the console.
    try {
      if (!localStorage.getItem(SIGNED_IN)) throw new ApiError(401, "unauthenticated", "", null);
      me = await api.me();
      renderHeader();
    } catch (err) {
      localStorage.removeItem(SIGNED_IN);
      if (!(err instanceof ApiError && (err.status === 401 || err.status === 403))) showError(err);
      page = renderLogin(main, async (who) => {
        me = who;
        localStorage.setItem(SIGNED_IN, who.user.username);
        clearMessages();
        await route();
      });
      return;
    }
  }
  const hash = location.hash.replace(/^#/, "") || "/";
  const [path, query = ""] = hash.split("?");
  const params = new URLSearchParams(query);
  const parts = path.split("/").filter(Boolean).map(decodeURIComponent);
  const user = me.user.username;
  if (parts[0] === "a" && parts[1] && parts[2] === "history") {
    page = renderHistory(main, parts[1], params.get("v"));
  } else if (parts[0] === "a" && parts[1]) {
    // The editor (CodeMirror, Yjs, the Markdown renderer) is most of the bytes: load it only here.
    const { renderArticle } = await import("./views/article");
    if (location.hash.replace(/^#/, "").split("?")[0] !== path) return; // navigated away meanwhile
    page = renderArticle(main, parts[1], user);
  } else if (parts[0] === "search") {
    page = renderSearch(main, params.get("q") ?? "", params.get("space") ?? "");
  } else {
    page = renderList(main, user);
  }
}

window.addEventListener("hashchange", () => {
  clearMessages();
  void route();
});
window.addEventListener("weft-signed-out", () => {
  me = null;
  localStorage.removeItem(SIGNED_IN);
  void route();
});

const app = document.getElementById("app");
if (app) fill(app, header, messages, main);
void route();
