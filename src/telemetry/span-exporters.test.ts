import { once } from 'node:events'
import { createServer, type IncomingHttpHeaders } from 'node:http'
import type { AddressInfo } from 'node:net'
import { gunzipSync } from 'node:zlib'
import { SpanKind } from '@opentelemetry/api'
import { ExportResultCode } from '@opentelemetry/core'
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { toResource } from './otel-resource.ts'
import { ExportedSpan, toPackedSpanExporter } from './span-exporters.ts'
import { readSpanBatch, type SpanBatch, SpanHead, SpanReader, SpanTemplate, SpanWriter } from './span-wire.ts'

/** A collector on a free port that keeps what it received. */
async function startReceiver() {
  const received: Array<{ url: string; headers: IncomingHttpHeaders; body: Buffer }> = []
  const server = createServer((request, response) => {
    const chunks: Buffer[] = []
    request.on('data', (chunk: Buffer) => chunks.push(chunk))
    request.on('end', () => {
      received.push({ url: request.url ?? '', headers: request.headers, body: Buffer.concat(chunks) })
      response.writeHead(200, { 'content-type': 'application/x-protobuf' }).end()
    })
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, received, close: () => server.close() }
}

function fanOutBatch(): SpanBatch {
  const writer = new SpanWriter()
  for (let event = 0; event < 300; event++) {
    const head = Object.assign(new SpanHead(), { name: 'send item.created', kind: SpanKind.PRODUCER, trace: '4bf92f3577b34da6a3ce929d0e0e4736', high: event + 1, low: 7, startTime: 1_764_720_000_000 + event, endTime: 1_764_720_000_000 + event, template: SpanTemplate.emit })
    writer.begin(head)
    for (const value of ['item.created', 't-1', 'FanOut']) writer.value(value)
    writer.end(null, null, 0)
  }
  return writer.take() as SpanBatch
}

afterEach(() => {
  vi.unstubAllEnvs()
})

describe('the http/protobuf span exporter', () => {
  it('sends the encoded spans through the SDK transport, with the endpoint, headers and compression of OTEL_EXPORTER_OTLP_*', async () => {
    const receiver = await startReceiver()
    vi.stubEnv('OTEL_EXPORTER_OTLP_ENDPOINT', receiver.url)
    vi.stubEnv('OTEL_EXPORTER_OTLP_HEADERS', 'x-tenant=north')
    vi.stubEnv('OTEL_EXPORTER_OTLP_COMPRESSION', 'gzip')
    const resource = toResource()
    const exporter = await toPackedSpanExporter('http/protobuf', resource)
    const batch = fanOutBatch()
    const result = await new Promise((resolve) => exporter.export({ readers: [new SpanReader(batch)], count: batch.count }, resolve))
    await exporter.shutdown()
    receiver.close()
    expect(result).toEqual({ code: ExportResultCode.SUCCESS })
    const [request] = receiver.received
    expect(request?.url).toBe('/v1/traces')
    expect(request?.headers).toMatchObject({ 'content-type': 'application/x-protobuf', 'content-encoding': 'gzip', 'x-tenant': 'north' })
    const spans = readSpanBatch(batch).map((span) => new ExportedSpan(span, resource))
    expect(gunzipSync(request?.body ?? Buffer.alloc(0)).equals(Buffer.from(ProtobufTraceSerializer.serializeRequest(spans) ?? []))).toBe(true)
  })
})
