// Two stock Yjs clients edit the same article concurrently, go offline, edit more, reconnect,
// and must converge to identical text that contains every edit (Chinese and emoji included,
// which exercises the server's UTF-16 offsets). A third client that joins afterwards must see
// the same text from the server alone. Prints the final body as JSON.
import { args, client, synced, waitFor, fail } from './common.mjs'

const { url, token, article, rest } = args()
const token2 = rest[0] || token
const a = client(url, token, article)
const b = client(url, token2, article)
await synced(a, 'client A')
await synced(b, 'client B')
const start = a.body.toString()

// Editors never put the cursor inside a surrogate pair; neither do these clients.
const safe = (text, pos) => {
  const s = text.toString()
  const c = s.charCodeAt(pos - 1)
  return c >= 0xd800 && c <= 0xdbff ? pos + 1 : pos
}

// Concurrent edits: interleaved inserts at the start, middle and end from both sides.
const pieces = []
for (let i = 0; i < 20; i++) {
  const pa = `A${i}中文😀`
  const pb = `B${i}émoji👩‍👩‍👧 退款`
  a.body.insert(i % 3 === 0 ? 0 : a.body.length, pa)
  // Both sides insert at the same places (start and end) at the same time: real conflicts.
  b.body.insert(i % 2 ? 0 : safe(b.body, b.body.length), pb)
  pieces.push(pa, pb)
  if (i % 5 === 0) await new Promise(resolve => setTimeout(resolve, 5))
}
await waitFor('A and B to converge online', () => a.body.toString() === b.body.toString() &&
  pieces.every(p => a.body.toString().includes(p))).catch((err) => {
  console.error(JSON.stringify({ a: a.body.toString(), b: b.body.toString(), missing: pieces.filter(p => !a.body.toString().includes(p)) }))
  throw err
})

// Offline: both disconnect and keep typing, including a delete of shared text.
a.provider.disconnect()
b.provider.disconnect()
await waitFor('both to go offline', () => !a.provider.wsconnected && !b.provider.wsconnected)
const offline = []
for (let i = 0; i < 10; i++) {
  const pa = `[离线A${i}🚀]`
  const pb = `[offline B${i} 🌏]`
  a.body.insert(0, pa)
  b.body.insert(b.body.length, pb)
  offline.push(pa, pb)
}
b.title.insert(b.title.length, ' — 已更新')
a.body.delete(a.body.toString().indexOf('开头'), 2) // shared text, deleted while offline
if (a.body.toString() === b.body.toString()) fail('offline edits should diverge before reconnecting')

a.provider.connect()
b.provider.connect()
await synced(a, 'client A after reconnect')
await synced(b, 'client B after reconnect')
await waitFor('A and B to converge after reconnect', () =>
  a.body.toString() === b.body.toString() && a.title.toString() === b.title.toString() &&
  offline.every(p => a.body.toString().includes(p)) && !a.body.toString().includes('开头'))

// A fresh client learns everything from the server.
const c = client(url, token, article)
await synced(c, 'client C')
await waitFor('C to match', () => c.body.toString() === a.body.toString() && c.title.toString() === a.title.toString())

for (const x of [a, b, c]) x.provider.destroy()
console.log(JSON.stringify({ start, body: a.body.toString(), title: a.title.toString(), pieces, offline }))
process.exit(0)
