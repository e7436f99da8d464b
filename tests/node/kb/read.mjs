// Connects, syncs, prints {title, body} as JSON.
import { args, client, synced } from './common.mjs'

const { url, token, article } = args()
const c = client(url, token, article)
await synced(c, 'reader')
console.log(JSON.stringify({ title: c.title.toString(), body: c.body.toString() }))
c.provider.destroy()
process.exit(0)
