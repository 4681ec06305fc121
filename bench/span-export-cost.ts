/**
 * The export worker's CPU per span, rebuilding spans for the SDK's serializer (http/json's path, and
 * http/protobuf's before the encoder) against encoding them from their batches (otlp-span-encoder.ts).
 * The spans are a fan-out's: per event an emit span and an attempt span with a state.set event, as
 * attach-tracing.ts records them. Run: npx tsx bench/span-export-cost.ts [events] [sdk|encoder|both]
 */
import { randomUUID } from 'node:crypto'
import { SpanKind } from '@opentelemetry/api'
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer'
import { INSTRUMENTATION, toResource } from '../src/telemetry/otel-resource.ts'
import { OtlpSpanEncoder } from '../src/telemetry/otlp-span-encoder.ts'
import { toExportedSpans } from '../src/telemetry/span-exporters.ts'
import { createSpanRecorder } from '../src/telemetry/span-recorder.ts'
import { createSpanSampler } from '../src/telemetry/span-sampler.ts'
import { KnownKey, type SpanBatch, SpanReader, SpanTemplate } from '../src/telemetry/span-wire.ts'
import { createTraceIds } from '../src/telemetry/trace-ids.ts'

const events = Number(process.argv[2] ?? 100_000)
const EXPORT_SPANS = 4_096

const sampler = await createSpanSampler({}, () => {})

function fanOutBatches(): SpanBatch[] {
  const batches: SpanBatch[] = []
  const recorder = createSpanRecorder(createTraceIds(), sampler, (batch) => batches.push(batch))
  // As the runtime makes trace ids, which a request's root span and its jobs' attempts take as their trace text.
  const traceId = randomUUID()
  const request = recorder.openRoot(traceId, 'POST /fan-out', SpanKind.SERVER)
  for (let event = 0; event < events; event++) {
    const traceparent = recorder.instant(request, null, 'send item.created', SpanKind.PRODUCER, SpanTemplate.emit, ['item.created', traceId, 'FanOut'])
    const attempt = recorder.openUnderTraceparent(traceparent, traceId, 'HandleItem', SpanKind.CONSUMER)
    recorder.addEvent(attempt, 'state.set', KnownKey['motia.state.group'], 'items', KnownKey['motia.state.key'], `item-${event}`)
    recorder.close(attempt, 'HandleItem', SpanKind.CONSUMER, SpanTemplate.attempt, ['item.created', 'HandleItem', traceId, `job-${event}`, 1, 3], [KnownKey['motia.job.outcome'], 'completed'], null)
  }
  recorder.flush()
  return batches
}

/** The batches' spans in exports of EXPORT_SPANS, as the queue takes them. */
function exports(batches: SpanBatch[]): SpanReader[][] {
  const all: SpanReader[][] = []
  let current: SpanReader[] = []
  let count = 0
  for (const batch of batches) {
    current.push(new SpanReader(batch))
    count += batch.count
    if (count >= EXPORT_SPANS) {
      all.push(current)
      current = []
      count = 0
    }
  }
  if (current.length > 0) all.push(current)
  return all
}

function measure(name: string, run: (readers: SpanReader[]) => number, batches: SpanBatch[]): void {
  for (const readers of exports(batches)) run(readers)
  const spans = batches.reduce((sum, batch) => sum + batch.count, 0)
  const cpu = process.cpuUsage()
  let bytes = 0
  for (const readers of exports(batches)) bytes += run(readers)
  const used = process.cpuUsage(cpu)
  const micros = used.user + used.system
  console.log(`${name}: ${((micros / spans) * 1000).toFixed(0)} ns CPU per span, ${((micros / spans) * 2).toFixed(2)} µs per event, ${(bytes / spans).toFixed(0)} bytes per span`)
}

const resource = toResource()
const batches = fanOutBatches()
const encoder = new OtlpSpanEncoder(resource, { name: INSTRUMENTATION })
const path = process.argv[3] ?? 'both'
for (let round = 0; round < 3; round++) {
  if (path !== 'encoder') measure('rebuilt + SDK serializer', (readers) => ProtobufTraceSerializer.serializeRequest(toExportedSpans({ readers, count: 0 }, resource))?.length ?? 0, batches)
  if (path !== 'sdk') measure('encoded from batches', (readers) => encoder.encode(readers).length, batches)
}
