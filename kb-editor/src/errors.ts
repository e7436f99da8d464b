// Turns a failed call into a sentence for a knowledge editor: first what happened in plain words
// (translated), then the server's own sentence, which says what to do next.

import { ApiError } from "./api";
import { t, type Key } from "./i18n";

function headline(err: ApiError): Key {
  if (err.code === "network") return "errNetwork";
  if (err.status === 401) return "errUnauthenticated";
  if (err.status === 403) return "errForbidden";
  if (err.status === 404) return "errNotFound";
  if (err.status === 409) return "errConflict";
  if (err.status === 400 || err.status === 422) return "errInvalid";
  return "errServer";
}

export function describe(err: unknown): string {
  if (err instanceof ApiError) {
    const first = t(headline(err));
    return err.message && err.code !== "network" ? `${first} ${err.message}` : first;
  }
  return t("errServer");
}

/** Shows a dismissible alert at the top of the page (read out by screen readers). */
export function showError(err: unknown): void {
  if (err instanceof ApiError && err.status === 401) {
    window.dispatchEvent(new CustomEvent("weft-signed-out"));
  }
  showMessage(describe(err), "error");
}

export function showMessage(text: string, kind: "error" | "info" = "info"): void {
  const region = document.getElementById("messages");
  if (!region) return;
  const box = document.createElement("div");
  box.className = `message ${kind}`;
  box.setAttribute("role", kind === "error" ? "alert" : "status");
  box.dataset.testid = kind === "error" ? "error" : "info";
  const span = document.createElement("span");
  span.textContent = text;
  const close = document.createElement("button");
  close.type = "button";
  close.textContent = t("dismiss");
  close.addEventListener("click", () => box.remove());
  box.append(span, close);
  region.replaceChildren(box);
  if (kind === "info") setTimeout(() => box.remove(), 6000);
}

export function clearMessages(): void {
  document.getElementById("messages")?.replaceChildren();
}
