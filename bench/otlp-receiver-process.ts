/**
 * A local OTLP/HTTP receiver in a process of its own: prints its URL, then answers each `spans` line on
 * stdin with the number of spans received so far; exits when stdin closes.
 */
import { createInterface } from 'node:readline'
import { startReceiver } from './otlp-receiver.ts'

const receiver = await startReceiver()
console.log(receiver.url)
for await (const line of createInterface({ input: process.stdin })) {
  if (line === 'spans') console.log(String(receiver.spans()))
}
await receiver.close()
