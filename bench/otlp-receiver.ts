import { once } from 'node:events'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { resolve } from 'node:path'
import { startLineProcess } from './server.ts'

/** Reads a protobuf varint at `at`: its value and the offset after it. */
function readVarint(bytes: Buffer, at: number): [number, number] {
  let value = 0
  let shift = 1
  for (;;) {
    const byte = bytes[at++] as number
    value += (byte & 0x7f) * shift
    if (byte < 0x80) return [value, at]
    shift *= 128
  }
}

/** The length-delimited fields numbered `field` of a protobuf message, as [start, end) offsets. */
function* fields(bytes: Buffer, start: number, end: number, field: number): Generator<[number, number]> {
  let at = start
  while (at < end) {
    const [key, afterKey] = readVarint(bytes, at)
    const wireType = key & 7
    at = afterKey
    if (wireType === 0) at = readVarint(bytes, at)[1]
    else if (wireType === 1) at += 8
    else if (wireType === 5) at += 4
    else if (wireType === 2) {
      const [length, afterLength] = readVarint(bytes, at)
      if (key >>> 3 === field) yield [afterLength, afterLength + length]
      at = afterLength + length
    } else throw new Error(`Unexpected protobuf wire type ${wireType} in an OTLP export.`)
  }
}

/** Spans in an OTLP ExportTraceServiceRequest: resource_spans (1) > scope_spans (2) > spans (2). Only skips by lengths. */
function countSpans(body: Buffer): number {
  let spans = 0
  for (const [resourceStart, resourceEnd] of fields(body, 0, body.length, 1)) {
    for (const [scopeStart, scopeEnd] of fields(body, resourceStart, resourceEnd, 2)) {
      for (const _ of fields(body, scopeStart, scopeEnd, 2)) spans += 1
    }
  }
  return spans
}

/**
 * A local OTLP/HTTP receiver that reads each export and answers 200, as a collector on another machine
 * would cost the server. It counts the spans of trace exports (skipping through the protobuf by lengths,
 * no decoding) when `spans()` is called, not as they arrive: it shares the machine's two cores with the
 * server it measures, and a collector would not. So the rows can show that every span was exported.
 */
export async function startReceiver(): Promise<{ url: string; spans: () => number; close: () => Promise<void> }> {
  let spans = 0
  let uncounted: Buffer[][] = []
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.once('end', () => {
      if (req.url === '/v1/traces') uncounted.push(chunks)
      res.writeHead(200, { 'content-type': 'application/x-protobuf' })
      res.end()
    })
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    spans() {
      for (const chunks of uncounted) spans += countSpans(Buffer.concat(chunks))
      uncounted = []
      return spans
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}

/**
 * The same receiver in a process of its own (`otlp-receiver-process.ts`), so the work of reading exports
 * does not run on the event loop of the load generator in this process: a collector on another machine
 * would not delay the requests sent to the server it receives from.
 */
export async function startReceiverProcess(): Promise<{ url: string; spans: () => Promise<number>; close: () => Promise<void> }> {
  const child = await startLineProcess(['--import', 'tsx', resolve(import.meta.dirname, 'otlp-receiver-process.ts')])
  return {
    url: child.firstLine,
    spans: async () => Number(await child.request('spans')),
    close: () => child.close(),
  }
}
