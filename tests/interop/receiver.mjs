// A webhook receiver built on the reference `standardwebhooks` library: it verifies every
// delivery Weft sends exactly as an integrator's endpoint would. The Rust end-to-end tests start
// it, read its port from the first stdout line, and steer it through /control:
//   POST /control {"secret": "whsec_...", "fail_next": 2, "status": 503}
//   GET  /received   -> every request so far: {id, type, verified, error, body}
import http from "node:http";
import { Webhook } from "standardwebhooks";

let webhook = null;
let failNext = 0;
let failStatus = 500;
const received = [];

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function reply(res, status, value) {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(value));
}

const server = http.createServer(async (req, res) => {
  const body = await readBody(req);
  if (req.url === "/control" && req.method === "POST") {
    const control = JSON.parse(body);
    if (control.secret !== undefined) webhook = new Webhook(control.secret);
    if (control.fail_next !== undefined) failNext = control.fail_next;
    if (control.status !== undefined) failStatus = control.status;
    return reply(res, 200, { ok: true });
  }
  if (req.url === "/received" && req.method === "GET") {
    return reply(res, 200, received);
  }
  let entry = { id: req.headers["webhook-id"] ?? null, verified: false, error: null, body };
  try {
    if (!webhook) throw new Error("no secret configured yet");
    const event = webhook.verify(body, req.headers);
    entry = { ...entry, verified: true, type: event.type };
  } catch (err) {
    entry.error = String(err.message ?? err);
  }
  received.push(entry);
  if (!entry.verified) return reply(res, 400, { error: entry.error });
  if (failNext > 0) {
    failNext -= 1;
    return reply(res, failStatus, { error: "failing on purpose" });
  }
  return reply(res, 204, {});
});

server.listen(0, "127.0.0.1", () => {
  console.log(JSON.stringify({ port: server.address().port }));
});
