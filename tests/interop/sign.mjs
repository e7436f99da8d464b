// Signs a request body with the reference `standardwebhooks` library, for tests of Weft's
// inbound verification. Usage: node sign.mjs <secret> <webhook-id> <unix-seconds> <body>
// Prints the webhook-signature header value.
import { Webhook } from "standardwebhooks";

const [secret, id, seconds, body] = process.argv.slice(2);
if (body === undefined) {
  console.error("usage: node sign.mjs <secret> <webhook-id> <unix-seconds> <body>");
  process.exit(2);
}
console.log(new Webhook(secret).sign(id, new Date(Number(seconds) * 1000), body));
