// The knowledge-base REST API as the browser sees it (contract: /work/kb-api-contract.md, the
// backend's docs/kb-api.md). Same origin, so the HttpOnly session cookie authenticates every call.

export interface Allowed {
  ok: boolean;
  reason?: string | null;
}

export interface StageInfo {
  name: string;
  roles: string[];
  approvals_required: number;
}

export interface Space {
  id: string;
  name: string;
  my_roles: string[];
  stages: StageInfo[];
}

export interface ArticleSummary {
  id: string;
  space: string;
  title: string;
  stage: string;
  author: string;
  last_editor: string | null;
  updated_at: string | number | null;
  verification_expires_at: string | number | null;
  flagged: boolean;
  flag_reason: string | null;
}

export interface Approval {
  user: string;
  content_hash: string;
  at: string | number;
}

export interface Stage extends StageInfo {
  approvals: Approval[];
  state: "done" | "current" | "pending";
}

export type Action = "submit" | "approve" | "request_changes" | "publish" | "edit";

export interface Article extends ArticleSummary {
  body: string;
  tags: string[];
  content_hash: string;
  published_version: number | null;
  stages: Stage[];
  allowed: Partial<Record<Action, Allowed>>;
}

export interface DiffLine {
  op: "equal" | "insert" | "delete";
  text: string;
}

export interface Hunk {
  old_start: number;
  old_lines: number;
  new_start: number;
  new_lines: number;
  lines: DiffLine[];
}

export interface Diff {
  base_version: number | null;
  title: { old: string; new: string };
  unified: string;
  hunks: Hunk[];
}

export interface Comment {
  id: string | number;
  author: string;
  body: string;
  anchor: { start: string; end: string } | null;
  quote: string | null;
  parent: string | number | null;
  resolved: boolean;
  created_at: string | number;
}

export interface VersionSummary {
  version: number;
  title: string;
  content_hash: string;
  published_by: string;
  published_at: string | number;
  approvals: { stage: string; user: string; at: string | number }[];
}

export interface VersionDetail extends VersionSummary {
  body: string;
  diff: Diff | null;
}

export interface Transition {
  from: string;
  to: string;
  actor: string;
  at: string | number;
  note: string | null;
}

export interface SearchHit {
  article_id: string;
  version: number;
  space: string;
  title: string;
  snippet_html: string;
  tags: string[];
  score: number;
}

export interface Me {
  user: { username: string; roles: { role: string }[] };
}

/** A non-2xx answer: the server's `{code, message, details}` plus the HTTP status. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: unknown,
  ) {
    super(message);
  }
}

async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      credentials: "same-origin",
      headers: body === undefined ? {} : { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, "network", "", null);
  }
  const text = await res.text();
  let json: unknown = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = null;
  }
  if (!res.ok) {
    const err = (json ?? {}) as { code?: string; message?: string; details?: unknown };
    throw new ApiError(res.status, err.code ?? `http-${res.status}`, err.message ?? "", err.details ?? null);
  }
  return json as T;
}

const enc = encodeURIComponent;

export const api = {
  login: (username: string, password: string) => call<Me>("POST", "/v1/sessions", { username, password }),
  logout: () => call<null>("DELETE", "/v1/sessions"),
  me: () => call<Me>("GET", "/v1/sessions/me"),
  spaces: () => call<Space[]>("GET", "/v1/kb/spaces"),
  articles: (space: string, filter: string) =>
    call<ArticleSummary[]>("GET", `/v1/kb/spaces/${enc(space)}/articles?filter=${enc(filter)}`),
  createArticle: (space: string, title: string, body: string) =>
    call<Article>("POST", `/v1/kb/spaces/${enc(space)}/articles`, { title, body }),
  article: (id: string) => call<Article>("GET", `/v1/kb/articles/${enc(id)}`),
  submit: (id: string) => call<Article>("POST", `/v1/kb/articles/${enc(id)}/submit`, {}),
  approve: (id: string, content_hash: string) =>
    call<Article>("POST", `/v1/kb/articles/${enc(id)}/approve`, { content_hash }),
  requestChanges: (id: string, comment: string) =>
    call<Article>("POST", `/v1/kb/articles/${enc(id)}/request-changes`, { comment }),
  publish: (id: string, content_hash: string) =>
    call<{ version: number }>("POST", `/v1/kb/articles/${enc(id)}/publish`, { content_hash }),
  diff: (id: string) => call<Diff>("GET", `/v1/kb/articles/${enc(id)}/diff`),
  comments: (id: string) => call<Comment[]>("GET", `/v1/kb/articles/${enc(id)}/comments`),
  addComment: (
    id: string,
    c: { body: string; anchor?: { start: string; end: string }; quote?: string; parent?: string | number },
  ) => call<Comment>("POST", `/v1/kb/articles/${enc(id)}/comments`, c),
  resolveComment: (cid: string | number) => call<Comment>("POST", `/v1/kb/comments/${enc(String(cid))}/resolve`, {}),
  versions: (id: string) => call<VersionSummary[]>("GET", `/v1/kb/articles/${enc(id)}/versions`),
  version: (id: string, n: number) => call<VersionDetail>("GET", `/v1/kb/articles/${enc(id)}/versions/${n}`),
  restore: (id: string, n: number) => call<Article>("POST", `/v1/kb/articles/${enc(id)}/versions/${n}/restore`, {}),
  transitions: (id: string) => call<Transition[]>("GET", `/v1/kb/articles/${enc(id)}/transitions`),
  search: (q: string, space: string) =>
    call<{ hits: SearchHit[]; took_ms: number }>(
      "GET",
      `/v1/kb/search?q=${enc(q)}${space ? `&space=${enc(space)}` : ""}&limit=20`,
    ),
};
