// Browser end-to-end test of the knowledge-base editor against a real `weft serve`.
//
// Started by tests/tests/kb_editor_e2e.rs, which starts the server on a free loopback port with a
// temporary data directory and creates the users through the `weft` CLI. This script sets up a
// space over the REST API as the admin, then drives Debian's Chromium (headless, playwright-core)
// through the scenarios the issue names, saving screenshots of the main screens. Any console error
// or uncaught exception in any page fails the run.
//
// Environment: KB_E2E_URL (http://127.0.0.1:PORT), KB_E2E_PASSWORD (every user's password),
// KB_E2E_ARTIFACTS (screenshot folder), CHROMIUM (default /usr/bin/chromium).

import { chromium } from "playwright-core";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { test, after, before } from "node:test";
import assert from "node:assert/strict";

const BASE = process.env.KB_E2E_URL;
const PASSWORD = process.env.KB_E2E_PASSWORD;
const ARTIFACTS = process.env.KB_E2E_ARTIFACTS ?? join(process.cwd(), "e2e-artifacts");
const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";
if (!BASE || !PASSWORD) {
  console.error("KB_E2E_URL and KB_E2E_PASSWORD must be set (tests/tests/kb_editor_e2e.rs sets them)");
  process.exit(2);
}
mkdirSync(ARTIFACTS, { recursive: true });

// Who plays which part. `ana` writes (and is also a reviewer, so only the self-approval rule can
// stop her approving her own article); `ben` co-writes; `rui` and `vic` review; `pia` publishes.
const SPACE = "e2e-help";
const MEMBERS = {
  ana: ["kb-author", "kb-reviewer"],
  ben: ["kb-author"],
  rui: ["kb-reviewer"],
  vic: ["kb-reviewer"],
  pia: ["kb-publisher"],
};
const DEADLINE_MS = 20_000;

let browser;
const consoleErrors = [];
// Console errors a step provokes on purpose (e.g. the 409 of a stale approval), each consumed once.
const expectedErrors = [];

function recordConsole(who, text) {
  const i = expectedErrors.findIndex((re) => re.test(text));
  if (i >= 0) expectedErrors.splice(i, 1);
  else consoleErrors.push(`[${who}] ${text}`);
}

/** Polls `fn` until it returns a truthy value; fails with `what` after the deadline. */
async function until(what, fn, timeout = DEADLINE_MS) {
  const end = Date.now() + timeout;
  let last;
  for (;;) {
    try {
      last = await fn();
      if (last) return last;
    } catch (err) {
      last = err;
    }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what} (last: ${last})`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** REST as the admin (setup only; everything a person does goes through the browser). */
async function adminApi() {
  const res = await fetch(`${BASE}/v1/sessions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ username: "admin", password: PASSWORD }),
  });
  assert.equal(res.status, 201, `admin sign-in: ${await res.text()}`);
  const cookie = (res.headers.get("set-cookie") ?? "").split(";")[0];
  return async (method, path, body) => {
    const r = await fetch(`${BASE}${path}`, {
      method,
      // The admin's session stands in for the admin's own page: same origin, as the server's
      // cross-site check requires of every cookie-authenticated change.
      headers: { cookie, origin: BASE, "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await r.text();
    if (!r.ok) throw new Error(`${method} ${path} → ${r.status}: ${text}`);
    return text ? JSON.parse(text) : null;
  };
}

/** A signed-in page for `user` in its own browser context (its own cookies, its own network). */
async function personPage(user, viewport = { width: 1280, height: 800 }, lang = "en-GB") {
  const context = await browser.newContext({ viewport, locale: lang });
  // Every sync socket goes through a relay the test can pause (server → page only), to hold a
  // page on an old view of the article while others edit.
  const relay = { paused: false, held: [] };
  relay.resume = () => {
    relay.paused = false;
    for (const [ws, m] of relay.held.splice(0)) ws.send(m);
  };
  await context.routeWebSocket(/\/v1\/kb\/sync\//, (ws) => {
    const server = ws.connectToServer();
    server.onMessage((m) => (relay.paused ? relay.held.push([ws, m]) : ws.send(m)));
    ws.onMessage((m) => server.send(m));
  });
  context.relay = relay;
  const page = await context.newPage();
  page.on("console", (msg) => {
    if (msg.type() === "error") recordConsole(user, msg.text());
  });
  page.on("pageerror", (err) => consoleErrors.push(`[${user}] uncaught: ${err.message}`));
  await page.goto(`${BASE}/kb/`);
  await page.getByLabel(/Username|用户名/).fill(user);
  await page.getByLabel(/Password|密码/).fill(PASSWORD);
  await page.getByRole("button", { name: /Sign in|登录/ }).click();
  await page.getByTestId("whoami").waitFor();
  return { context, page };
}

/** The body text as the editor shows it (remote caret labels are widgets, not text: drop them). */
async function bodyText(page) {
  return page.locator(".cm-content").evaluate((el) => {
    const copy = el.cloneNode(true);
    for (const w of copy.querySelectorAll(".cm-ySelectionCaret, .cm-widgetBuffer")) w.remove();
    return Array.from(copy.querySelectorAll(".cm-line"))
      .map((line) => line.textContent.replace(/\u2060/g, ""))
      .join("\n");
  });
}

async function typeAtEnd(page, text) {
  await page.locator(".cm-content").click();
  await page.keyboard.press("Control+End");
  await page.keyboard.type(text);
}

async function typeAtStart(page, text) {
  await page.locator(".cm-content").click();
  await page.keyboard.press("Control+Home");
  await page.keyboard.type(text);
}

async function connState(page) {
  return page.getByTestId("conn").getAttribute("data-state");
}

async function openReview(page) {
  await page.getByTestId("tab-review").click();
  await page.getByTestId("stages").locator("li.stage").first().waitFor();
}

async function shot(page, name) {
  const path = join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

let api;
let articleId;
let ana;
let ben;
// A word only this run's article contains, so search finds exactly it.
const MARKER = `zebrafinch${process.pid}`;

before(async () => {
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true });
  api = await adminApi();
  await api("POST", "/v1/kb/spaces", { id: SPACE, name: "E2E 帮助中心" });
  for (const [user, roles] of Object.entries(MEMBERS)) {
    await api("PUT", `/v1/kb/spaces/${SPACE}/members/${user}`, { roles });
  }
});

after(async () => {
  await browser?.close();
  console.log(`kb-editor e2e screenshots: ${ARTIFACTS}`);
});

test("an author creates an article from the list", async () => {
  ana = await personPage("ana");
  await ana.page.getByTestId("space-select").selectOption(SPACE);
  await ana.page.getByTestId("new-article").click();
  await ana.page.getByTestId("new-title").fill("退款政策 Refund policy");
  await ana.page.getByRole("button", { name: "Create" }).click();
  await ana.page.waitForURL(/#\/a\//);
  articleId = decodeURIComponent(new URL(ana.page.url()).hash.split("/")[2]);
  assert.ok(articleId, "the new article's id is in the address");
  await until("ana's editor to sync", async () => (await connState(ana.page)) === "synced");
  assert.equal(await ana.page.getByTestId("title-input").inputValue(), "退款政策 Refund policy");
});

test("two people edit the same article at once and converge", async () => {
  ben = await personPage("ben");
  await ben.page.goto(`${BASE}/kb/#/a/${encodeURIComponent(articleId)}`);
  await until("ben's editor to sync", async () => (await connState(ben.page)) === "synced");
  // Both see each other in the presence list.
  await until("ana sees ben", async () => (await ana.page.getByTestId("presence").textContent()).includes("ben"));
  await until("ben sees ana", async () => (await ben.page.getByTestId("presence").textContent()).includes("ana"));

  await Promise.all([
    typeAtEnd(ana.page, `Customers get a refund within 7 days. 七天内退款。 ${MARKER}\n`),
    typeAtStart(ben.page, "# Refund policy 退款政策\n"),
  ]);
  const both = (t) => t.includes("七天内退款") && t.includes("# Refund policy 退款政策") && t.includes(MARKER);
  const a = await until("ana to have both edits", async () => both(await bodyText(ana.page)) && bodyText(ana.page));
  await until("ben to have the same text", async () => (await bodyText(ben.page)) === a);
  // Each sees the other's caret with a name label.
  await until("ben's caret in ana's editor", async () => (await ana.page.locator(".cm-ySelectionInfo").allTextContents()).includes("ben"));
  console.log(`screenshot: ${await shot(ana.page, "01-editor-two-people")}`);
});

test("an offline editor keeps its edits and both converge on reconnect", async () => {
  await ben.context.setOffline(true);
  await until("ben to show offline", async () => (await connState(ben.page)) === "offline");
  await typeAtEnd(ben.page, "Offline note 离线修改。\n");
  await until("ben to count pending changes", async () => Number(await ben.page.getByTestId("conn").getAttribute("data-pending")) > 0);
  console.log(`screenshot: ${await shot(ben.page, "02-editor-offline-pending")}`);
  await typeAtEnd(ana.page, "Online note 在线修改。\n");
  await until("ana's edit to be in her editor", async () => (await bodyText(ana.page)).includes("在线修改"));
  assert.ok(!(await bodyText(ana.page)).includes("离线修改"), "ben's offline edit cannot reach ana while he is offline");

  await ben.context.setOffline(false);
  await until("ben to sync again", async () => (await connState(ben.page)) === "synced");
  const merged = (t) => t.includes("离线修改") && t.includes("在线修改");
  const a = await until("ana to get ben's offline edit", async () => merged(await bodyText(ana.page)) && bodyText(ana.page));
  await until("ben to converge with ana", async () => (await bodyText(ben.page)) === a);
  await until("ana's indicator synced", async () => (await connState(ana.page)) === "synced");
});

test("a comment on selected text stays on its words while others type before it", async () => {
  await ben.page.getByTestId("tab-comments").click();
  await ben.page.locator(".cm-content").click();
  await ben.page.keyboard.press("Control+Home");
  for (let i = 0; i < 12; i += 1) await ben.page.keyboard.press("Shift+ArrowRight");
  const quote = (await bodyText(ben.page)).slice(0, 12);
  await ben.page.getByTestId("comment-input").fill("Is this still true? 这条还有效吗？");
  await ben.page.getByTestId("comment-selection").click();
  await ben.page.getByTestId("comment-list").locator("blockquote").first().waitFor();

  await ana.page.getByTestId("tab-comments").click();
  const thread = ana.page.getByTestId("comment-list").locator("article.comment").first();
  await thread.waitFor();
  assert.match(await thread.textContent(), /这条还有效吗/);
  assert.equal((await thread.locator("blockquote").textContent()).startsWith(quote), true, "the quote is shown");
  await until("ana sees the commented words underlined", async () => (await ana.page.locator(".cm-commented").allTextContents()).join("") === quote);
  await typeAtStart(ana.page, "Intro 引言 ");
  await until("the underline to stay on the same words", async () => (await ana.page.locator(".cm-commented").allTextContents()).join("") === quote);
  await until("ben to have the intro", async () => (await bodyText(ben.page)).startsWith("Intro 引言 "));
  console.log(`screenshot: ${await shot(ana.page, "03a-comment-on-selection")}`);
  await ana.page.getByTestId("tab-preview").click();
});

test("the author submits and cannot approve her own article", async () => {
  await ben.context.close();
  await openReview(ana.page);
  await ana.page.getByTestId("action-submit").click();
  await until("the article to leave draft", async () => (await ana.page.getByTestId("stages").locator("li.stage.current").count()) > 0 && (await ana.page.getByTestId("action-approve").count()) > 0);
  const approve = ana.page.getByTestId("action-approve");
  assert.ok(await approve.isDisabled(), "the author's approve button is disabled");
  const reason = (await ana.page.getByTestId("reason-approve").textContent())?.trim();
  assert.ok(reason, "and the page says why");
  assert.equal(
    await approve.getAttribute("aria-describedby"),
    await ana.page.getByTestId("reason-approve").getAttribute("id"),
    "the reason is tied to the button for screen readers",
  );
  console.log(`author's approve button says: ${reason}`);
  console.log(`screenshot: ${await shot(ana.page, "03-review-author-cannot-approve")}`);
});

test("reviewers approve every stage, a publisher publishes, search finds it", async () => {
  const reviewers = [await personPage("rui"), await personPage("vic")];
  for (const r of reviewers) {
    await r.page.goto(`${BASE}/kb/#/a/${encodeURIComponent(articleId)}`);
    await openReview(r.page);
  }
  await reviewers[0].page.getByTestId("diff").waitFor();
  console.log(`screenshot: ${await shot(reviewers[0].page, "04-review-diff-reviewer")}`);

  // A stale approval: rui's page stops hearing edits, ana changes the text, rui approves what he
  // saw. The server refuses (409) and the page says so in plain words, then shows the new state.
  const rui = reviewers[0];
  rui.context.relay.paused = true;
  await typeAtEnd(ana.page, "Late change 最后修改。\n");
  await until("ana's late change to be synced", async () => (await connState(ana.page)) === "synced" && (await bodyText(ana.page)).includes("最后修改"));
  await until("the server to have the late change", async () => (await api("GET", `/v1/kb/articles/${encodeURIComponent(articleId)}`)).body.includes("最后修改"));
  expectedErrors.push(/status of 409/);
  await rui.page.getByTestId("action-approve").click();
  const error = rui.page.getByTestId("error");
  await error.waitFor();
  assert.match(await error.textContent(), /changed after you opened it/);
  console.log(`stale approval says: ${await error.locator("span").textContent()}`);
  console.log(`screenshot: ${await shot(rui.page, "04a-stale-approval")}`);
  rui.context.relay.resume();
  const afterStale = await api("GET", `/v1/kb/articles/${encodeURIComponent(articleId)}`);
  assert.ok(afterStale.stages.every((s) => s.approvals.length === 0), "the stale approval was not recorded");
  // Approve stage after stage with whichever reviewer the server allows, until none remains.
  for (let round = 0; round < 6; round += 1) {
    const article = await api("GET", `/v1/kb/articles/${encodeURIComponent(articleId)}`);
    if (!article.stages.some((s) => s.state === "current")) break;
    let approved = false;
    for (const r of reviewers) {
      await r.page.reload();
      await openReview(r.page);
      const button = r.page.getByTestId("action-approve");
      if ((await button.count()) === 0 || (await button.isDisabled())) continue;
      const before = JSON.stringify(article.stages.map((s) => [s.state, s.approvals.length]));
      await button.click();
      await until("the approval to be recorded", async () => {
        const now = await api("GET", `/v1/kb/articles/${encodeURIComponent(articleId)}`);
        return JSON.stringify(now.stages.map((s) => [s.state, s.approvals.length])) !== before;
      });
      approved = true;
      break;
    }
    assert.ok(approved, `some reviewer may approve the current stage (round ${round})`);
  }
  const done = await api("GET", `/v1/kb/articles/${encodeURIComponent(articleId)}`);
  assert.ok(done.stages.every((s) => s.state === "done"), `every stage is done: ${JSON.stringify(done.stages)}`);
  for (const r of reviewers) await r.context.close();

  const pia = await personPage("pia");
  await pia.page.goto(`${BASE}/kb/#/a/${encodeURIComponent(articleId)}`);
  await openReview(pia.page);
  await until("pia's publish button enabled", async () => !(await pia.page.getByTestId("action-publish").isDisabled()));
  await pia.page.getByTestId("action-publish").click();
  await until("the publish confirmation", async () => /version 1/.test((await pia.page.getByTestId("info").textContent()) ?? ""));
  console.log(`screenshot: ${await shot(pia.page, "05-published")}`);

  await pia.page.goto(`${BASE}/kb/#/search?q=${MARKER}`);
  const hit = await until("search to find the published article", async () => {
    await pia.page.reload();
    const item = pia.page.locator(`[data-article="${articleId}"]`);
    return (await item.count()) > 0 && item;
  });
  assert.ok(await hit.locator(".snippet b").count() > 0, "the snippet highlights the match");
  assert.match(await hit.locator(".snippet b").first().textContent(), new RegExp(MARKER, "i"));
  console.log(`screenshot: ${await shot(pia.page, "06-search")}`);
  await pia.context.close();
});

test("history shows the version and restoring it brings the published text back", async () => {
  await ana.page.goto(`${BASE}/kb/#/a/${encodeURIComponent(articleId)}`);
  await until("ana's editor to sync", async () => (await connState(ana.page)) === "synced");
  const published = await bodyText(ana.page);
  await typeAtEnd(ana.page, "Draft after publishing 发布后的草稿。");
  await until("the draft edit to sync", async () => (await connState(ana.page)) === "synced" && (await bodyText(ana.page)).includes("发布后的草稿"));

  await ana.page.getByTestId("history-link").click();
  const versions = ana.page.getByTestId("versions");
  await versions.locator('[data-version="1"]').waitFor();
  assert.match(await versions.textContent(), /pia/, "the version says who published it");
  await ana.page.getByTestId("version-detail").getByTestId("diff").waitFor();
  console.log(`screenshot: ${await shot(ana.page, "07-history")}`);

  await ana.page.getByTestId("restore").click();
  await ana.page.waitForURL(/#\/a\/[^/]+$/);
  await until("the restored text in the editor", async () => {
    const text = await bodyText(ana.page);
    return !text.includes("发布后的草稿") && text.trim() === published.trim();
  });
  assert.match((await ana.page.getByTestId("info").textContent()) ?? "", /restored/i);
});

test("Chinese interface and a 390-px phone, signed in with the keyboard only", async () => {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: "zh-CN", isMobile: true, hasTouch: true });
  const page = await context.newPage();
  page.on("console", (msg) => {
    if (msg.type() === "error") recordConsole("phone", msg.text());
  });
  page.on("pageerror", (err) => consoleErrors.push(`[phone] uncaught: ${err.message}`));
  await page.goto(`${BASE}/kb/`);
  // The browser says Chinese, so the interface is Chinese; sign in without touching the mouse.
  await page.getByRole("heading", { name: "登录" }).waitFor();
  await page.keyboard.type("ana"); // the username field has focus on arrival
  await page.keyboard.press("Tab");
  await page.keyboard.type(PASSWORD);
  await page.keyboard.press("Enter");
  await page.getByTestId("whoami").waitFor();
  await page.getByTestId("space-select").selectOption(SPACE);
  await page.getByTestId("article-list").waitFor();
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `the list fits a 390-px screen (overflow ${overflow}px)`);
  console.log(`screenshot: ${await shot(page, "08-phone-list-zh")}`);
  await page.goto(`${BASE}/kb/#/a/${encodeURIComponent(articleId)}`);
  await until("the phone editor to sync", async () => (await connState(page)) === "synced");
  const overflowEditor = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflowEditor <= 0, `the editor fits a 390-px screen (overflow ${overflowEditor}px)`);
  assert.equal(await page.getByTestId("conn").textContent(), "所有更改已同步");
  console.log(`screenshot: ${await shot(page, "09-phone-editor-zh")}`);
  await context.close();
});

test("no console errors in any page", () => {
  assert.deepEqual(consoleErrors, [], `console errors:\n${consoleErrors.join("\n")}`);
});
