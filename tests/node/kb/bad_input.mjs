// Hostile frames, each on its own raw connection: every one must close only that connection with
// a code and a reason, and afterwards a stock client must still find the document intact.
// Prints [{case, code, reason}] and the body a fresh client saw, as JSON.
import * as encoding from 'lib0/encoding'
import * as syncProtocol from 'y-protocols/sync'
import * as awarenessProtocol from 'y-protocols/awareness'
import { args, authed, client, synced, Y } from './common.mjs'

const { url, token, article } = args()
const Socket = authed(token)

/** Opens a raw connection, sends `frames` once open, and resolves with how the server closed it. */
function attempt (name, frames, { text = false, ms = 30000 } = {}) {
  return new Promise((resolve) => {
    const ws = new Socket(`${url}/${article}`)
    const timer = setTimeout(() => { ws.terminate(); resolve({ case: name, code: null, reason: 'not closed by the server' }) }, ms)
    ws.on('open', async () => {
      for (const frame of frames) {
        if (ws.readyState !== ws.OPEN) break
        ws.send(frame, { binary: !text })
        // Yield now and then so the server's close can arrive mid-flood.
        await new Promise(resolve => setImmediate(resolve))
      }
    })
    ws.on('error', () => {})
    ws.on('close', (code, reason) => { clearTimeout(timer); resolve({ case: name, code, reason: reason.toString() }) })
  })
}

const msg = (fn) => { const e = encoding.createEncoder(); fn(e); return Buffer.from(encoding.toUint8Array(e)) }

// An update whose predecessor the server never saw (clock starts past 0): "missing structs".
const src = new Y.Doc()
src.getText('body').insert(0, 'first part the server never receives ')
const sv = Y.encodeStateVector(src)
src.getText('body').insert(5, 'second part depends on the first')
const orphan = Y.encodeStateAsUpdate(src, sv)

const awareness = new awarenessProtocol.Awareness(new Y.Doc())
const flood = []
for (let i = 0; i < 3000; i++) {
  awareness.setLocalState({ user: { name: 'flooder' }, cursor: i })
  flood.push(msg(e => {
    encoding.writeVarUint(e, 1)
    encoding.writeVarUint8Array(e, awarenessProtocol.encodeAwarenessUpdate(awareness, [awareness.clientID]))
  }))
}

const results = []
results.push(await attempt('unknown sync subtype', [Buffer.from([0, 9, 1, 2, 3])]))
results.push(await attempt('truncated update', [Buffer.from([0, 2, 60, 1, 2, 3])]))
results.push(await attempt('garbage update bytes', [msg(e => { encoding.writeVarUint(e, 0); encoding.writeVarUint(e, 2); encoding.writeVarUint8Array(e, Buffer.from([255, 255, 255, 255, 255, 255, 255, 255, 255, 1, 7])) })]))
results.push(await attempt('unknown message type', [Buffer.from([77, 1, 0])]))
results.push(await attempt('text frame', ['hello'], { text: true }))
results.push(await attempt('update with missing structs', [msg(e => { encoding.writeVarUint(e, 0); syncProtocol.writeUpdate(e, orphan) })]))
results.push(await attempt('100 MB message', [Buffer.alloc(100 * 1024 * 1024, 7)]))
results.push(await attempt('awareness flood', flood))

const c = client(url, token, article)
await synced(c, 'a fresh client after the attacks')
const body = c.body.toString()
c.provider.destroy()
console.log(JSON.stringify({ results, body }))
process.exit(0)
