// Shared helpers for the knowledge-base tests: real Yjs documents synced through the stock
// y-websocket provider against the weft server, authenticated with a bearer token.
import WebSocket from 'ws'
import * as Y from 'yjs'
import { WebsocketProvider } from 'y-websocket'

export { Y, WebSocket }

export function args () {
  const [url, token, article, ...rest] = process.argv.slice(2)
  if (!url || !token || !article) {
    console.error('usage: node <script> WS_BASE_URL TOKEN ARTICLE_ID [...]')
    process.exit(2)
  }
  return { url, token, article, rest }
}

/** A WebSocket class that sends `Authorization: Bearer <token>` (browsers use the cookie). */
export function authed (token) {
  return class extends WebSocket {
    constructor (url, protocols) {
      super(url, protocols, { headers: { Authorization: `Bearer ${token}` } })
    }
  }
}

export function client (url, token, article, doc = new Y.Doc()) {
  const provider = new WebsocketProvider(url, article, doc, {
    WebSocketPolyfill: authed(token),
    disableBc: true,
    maxBackoffTime: 300
  })
  return { doc, provider, body: doc.getText('body'), title: doc.getText('title') }
}

export async function waitFor (what, check, ms = 20000) {
  const deadline = Date.now() + ms
  while (Date.now() < deadline) {
    if (check()) return
    await new Promise(resolve => setTimeout(resolve, 10))
  }
  throw new Error(`timed out after ${ms} ms waiting for ${what}`)
}

export const synced = (c, what) => waitFor(`${what} to sync`, () => c.provider.synced && c.provider.wsconnected)

export function fail (message) {
  console.error(`FAIL: ${message}`)
  process.exit(1)
}
