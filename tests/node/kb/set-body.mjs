// Replaces the whole body with TEXT as a stock client (one transaction) and waits until a second
// client has received it: the server broadcasts only after storing, so the edit is durable then.
import { args, client, synced, waitFor } from './common.mjs'

const { url, token, article, rest } = args()
const text = rest[0] || ''
const editor = client(url, token, article)
const observer = client(url, token, article)
await synced(editor, 'editor')
await synced(observer, 'observer')
editor.doc.transact(() => {
  editor.body.delete(0, editor.body.length)
  editor.body.insert(0, text)
})
await waitFor('the edit to reach another client', () => observer.body.toString() === text)
console.log(JSON.stringify({ body: observer.body.toString() }))
editor.provider.destroy()
observer.provider.destroy()
process.exit(0)
