import { once } from 'node:events'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'

/** An attribute value as OTLP JSON encodes it. */
interface AnyValue {
  stringValue?: string
  intValue?: string | number
  doubleValue?: number
  boolValue?: boolean
}

interface OtlpAttribute {
  key: string
  value: AnyValue
}

/** A span as received, with its attributes and its resource's attributes as plain objects. */
export interface ReceivedSpan {
  traceId: string
  spanId: string
  parentSpanId: string
  name: string
  kind: number
  attributes: Record<string, string | number | boolean>
  events: Array<{ name: string; attributes: Record<string, string | number | boolean> }>
  status: { code?: number; message?: string }
  resource: Record<string, string | number | boolean>
}

/** A data point of a received sum (counter), gauge or histogram, with its attributes; a histogram's value is its count. */
export interface ReceivedPoint {
  metric: string
  type: 'sum' | 'gauge' | 'histogram'
  attributes: Record<string, string | number | boolean>
  value: number
  /** A histogram's sum. */
  sum?: number
}

/** A local OTLP/HTTP receiver of JSON exports (OTEL_EXPORTER_OTLP_PROTOCOL=http/json). */
export interface OtlpReceiver {
  url: string
  spans: ReceivedSpan[]
  /** Every data point of every metrics export, in arrival order. */
  points: ReceivedPoint[]
  close(): Promise<void>
}

const toValue = (value: AnyValue): string | number | boolean =>
  value.stringValue ?? (value.intValue !== undefined ? Number(value.intValue) : (value.doubleValue ?? value.boolValue ?? ''))

const toObject = (attributes: OtlpAttribute[] = []) => Object.fromEntries(attributes.map(({ key, value }) => [key, toValue(value)]))

interface TracesBody {
  resourceSpans?: Array<{
    resource?: { attributes?: OtlpAttribute[] }
    scopeSpans?: Array<{ spans?: Array<Omit<ReceivedSpan, 'attributes' | 'events' | 'resource'> & { attributes?: OtlpAttribute[]; events?: Array<{ name: string; attributes?: OtlpAttribute[] }> }> }>
  }>
}

type NumberPoints = { dataPoints?: Array<{ attributes?: OtlpAttribute[]; asInt?: string | number; asDouble?: number }> }
type HistogramPoints = { dataPoints?: Array<{ attributes?: OtlpAttribute[]; count?: string | number; sum?: number }> }

interface MetricsBody {
  resourceMetrics?: Array<{
    scopeMetrics?: Array<{ metrics?: Array<{ name: string; sum?: NumberPoints; gauge?: NumberPoints; histogram?: HistogramPoints }> }>
  }>
}

/** Starts the receiver on a free port of 127.0.0.1. */
export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const spans: ReceivedSpan[] = []
  const points: ReceivedPoint[] = []
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8')
      if (req.url === '/v1/traces') {
        for (const resourceSpans of (JSON.parse(text) as TracesBody).resourceSpans ?? []) {
          const resource = toObject(resourceSpans.resource?.attributes)
          for (const scope of resourceSpans.scopeSpans ?? []) {
            for (const span of scope.spans ?? []) {
              spans.push({
                traceId: span.traceId,
                spanId: span.spanId,
                parentSpanId: span.parentSpanId ?? '',
                name: span.name,
                kind: span.kind,
                attributes: toObject(span.attributes),
                events: (span.events ?? []).map((event) => ({ name: event.name, attributes: toObject(event.attributes) })),
                status: span.status ?? {},
                resource,
              })
            }
          }
        }
      } else if (req.url === '/v1/metrics') {
        for (const resourceMetrics of (JSON.parse(text) as MetricsBody).resourceMetrics ?? []) {
          for (const scope of resourceMetrics.scopeMetrics ?? []) {
            for (const metric of scope.metrics ?? []) {
              for (const type of ['sum', 'gauge'] as const) {
                for (const point of metric[type]?.dataPoints ?? []) {
                  points.push({ metric: metric.name, type, attributes: toObject(point.attributes), value: Number(point.asInt ?? point.asDouble ?? 0) })
                }
              }
              for (const point of metric.histogram?.dataPoints ?? []) {
                points.push({ metric: metric.name, type: 'histogram', attributes: toObject(point.attributes), value: Number(point.count ?? 0), sum: point.sum ?? 0 })
              }
            }
          }
        }
      }
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end('{}')
    })
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    spans,
    points,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}
