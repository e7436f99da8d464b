// Crash-test load: a writer appends numbered markers as fast as the server takes them while an
// observer prints each marker the moment it arrives. The server broadcasts only after the update
// is committed, so a marker the observer printed is an acknowledged, durable edit. The writer
// never reconnects (it would resend everything and hide a loss). Exits when the observer's
// connection drops (the test kills the server).
import { args, client, synced } from './common.mjs'

const { url, token, article } = args()
const writer = client(url, token, article)
const observer = client(url, token, article)
writer.provider.on('connection-close', () => writer.provider.disconnect())
await synced(writer, 'writer')
await synced(observer, 'observer')
console.log('READY')

const seen = new Set()
observer.body.observe(() => {
  for (const m of observer.body.toString().matchAll(/<m(\d+)>/g)) {
    if (!seen.has(m[1])) {
      seen.add(m[1])
      process.stdout.write(`ACK ${m[1]}\n`)
    }
  }
})
observer.provider.on('connection-close', () => {
  observer.provider.disconnect()
  process.stdout.write('CLOSED\n')
  setTimeout(() => process.exit(0), 50)
})

let i = 0
const timer = setInterval(() => {
  if (!writer.provider.wsconnected) { clearInterval(timer); return }
  for (let k = 0; k < 3; k++) writer.body.insert(writer.body.length, `<m${i++}>`)
}, 2)
setTimeout(() => process.exit(3), 60000)
