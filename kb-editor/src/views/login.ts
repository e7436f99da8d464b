// Sign-in form: POST /v1/sessions sets the HttpOnly session cookie the API and the sync socket use.

import { api, ApiError, type Me } from "../api";
import { h, fill } from "../dom";
import { showError, showMessage } from "../errors";
import { t } from "../i18n";
import type { Page } from "../main";

export function renderLogin(main: HTMLElement, done: (me: Me) => Promise<void>): Page {
  const username = h("input", { id: "login-user", name: "username", autocomplete: "username", required: true });
  const password = h("input", {
    id: "login-pass",
    name: "password",
    type: "password",
    autocomplete: "current-password",
    required: true,
  });
  const submit = h("button", { type: "submit", class: "primary" }, t("signIn"));
  const form = h(
    "form",
    { class: "card login", "aria-labelledby": "login-heading" },
    h("h1", { id: "login-heading" }, t("signIn")),
    h("label", { for: "login-user" }, t("username")),
    username,
    h("label", { for: "login-pass" }, t("password")),
    password,
    submit,
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    submit.disabled = true;
    try {
      const me = await api.login(username.value.trim(), password.value);
      await done(me);
    } catch (err) {
      // A failed sign-in is a 401 too; say that the pair did not match rather than "signed out".
      if (err instanceof ApiError && err.status === 401) showMessage(`${t("errBadLogin")}`, "error");
      else showError(err);
      submit.disabled = false;
      password.select();
    }
  });
  fill(main, form);
  username.focus();
  return {};
}
