// Appends TEXT to the body as a stock client and waits until a second client has received it:
// the server broadcasts only after storing, so the edit is durable when this prints {body}.
import { args, client, synced, waitFor } from './common.mjs'

const { url, token, article, rest } = args()
const text = rest[0] || ''
const editor = client(url, token, article)
const observer = client(url, token, article)
await synced(editor, 'editor')
await synced(observer, 'observer')
editor.body.insert(editor.body.length, text)
await waitFor('the edit to reach another client', () => observer.body.toString() === editor.body.toString())
console.log(JSON.stringify({ body: observer.body.toString() }))
editor.provider.destroy()
observer.provider.destroy()
process.exit(0)
