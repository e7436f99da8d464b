// A reader (no kb-author role) syncs the article with a raw y-sync connection, receives the text,
// then tries to write: the server must answer with messageAuth permission-denied and drop the
// edit. Prints {body, denied} as JSON.
import * as encoding from 'lib0/encoding'
import * as decoding from 'lib0/decoding'
import * as syncProtocol from 'y-protocols/sync'
import { args, authed, waitFor, Y } from './common.mjs'

const { url, token, article } = args()
const doc = new Y.Doc()
let denied = null
const ws = new (authed(token))(`${url}/${article}`)
ws.binaryType = 'arraybuffer'
ws.on('message', (data) => {
  const decoder = decoding.createDecoder(new Uint8Array(data))
  const type = decoding.readVarUint(decoder)
  if (type === 0) {
    const reply = encoding.createEncoder()
    encoding.writeVarUint(reply, 0)
    syncProtocol.readSyncMessage(decoder, reply, doc, 'server')
    if (encoding.length(reply) > 1) ws.send(encoding.toUint8Array(reply))
  } else if (type === 2) {
    const permission = decoding.readVarUint(decoder)
    if (permission === 0) denied = decoding.readVarString(decoder)
  }
})
await new Promise((resolve, reject) => { ws.on('open', resolve); ws.on('error', reject) })
const step1 = encoding.createEncoder()
encoding.writeVarUint(step1, 0)
syncProtocol.writeSyncStep1(step1, doc)
ws.send(encoding.toUint8Array(step1))
await waitFor('the reader to receive the article', () => doc.getText('body').length > 0)
const body = doc.getText('body').toString()

doc.on('update', (update, origin) => {
  if (origin === 'server') return
  const e = encoding.createEncoder()
  encoding.writeVarUint(e, 0)
  syncProtocol.writeUpdate(e, update)
  ws.send(encoding.toUint8Array(e))
})
doc.getText('body').insert(0, 'READER WAS HERE ')
await waitFor('a permission-denied answer', () => denied !== null)
ws.close()
console.log(JSON.stringify({ body, denied }))
process.exit(0)
