import { WebSocket } from 'ws'
import { send } from '../http.ts'
import type { Row } from '../report.ts'
import { rssMb, type ServerProcess } from '../server.ts'
import { median, percentile, since } from '../stats.ts'

const TIMEOUT_MS = 120_000

/** Subscribed sockets that count the frames they receive (after their sync). */
interface Clients {
  count: number
  /** Frames received by all of them since they joined. */
  readonly total: number
  /** Resolves once `total` reaches `target`. */
  until(target: number): Promise<void>
  /** The next frame of one socket, parsed. */
  nextFrame(index: number): Promise<{ event: { data: { sentAt: number } } }>
  close(): void
}

/** Opens `count` sockets (200 at a time), each joining `groupOf(i)` (or its item `id`), and waits for every sync. */
async function connect(url: string, count: number, groupOf: (i: number) => string, id?: string): Promise<Clients> {
  const wsUrl = url.replace(/^http/, 'ws')
  const sockets: WebSocket[] = []
  let total = 0
  let waiter: { target: number; resolve: () => void } | undefined
  const frameWaiters = new Map<number, (text: string) => void>()
  const open = (i: number) =>
    new Promise<void>((resolve, reject) => {
      const socket = new WebSocket(wsUrl, { perMessageDeflate: false })
      let synced = false
      socket.on('message', (data) => {
        if (!synced) {
          synced = true
          resolve()
          return
        }
        total += 1
        frameWaiters.get(i)?.(data.toString())
        if (waiter && total >= waiter.target) waiter.resolve()
      })
      socket.once('open', () => socket.send(JSON.stringify({ type: 'join', data: { streamName: 'bench', groupId: groupOf(i), subscriptionId: `s${i}`, ...(id ? { id } : {}) } })))
      socket.once('error', reject)
      sockets.push(socket)
    })
  for (let start = 0; start < count; start += 200) {
    await Promise.all(Array.from({ length: Math.min(200, count - start) }, (_, k) => open(start + k)))
  }
  return {
    count,
    get total() {
      return total
    },
    until(target) {
      if (total >= target) return Promise.resolve()
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`Only ${total} of ${target} frames arrived within ${TIMEOUT_MS} ms.`)), TIMEOUT_MS)
        waiter = { target, resolve: () => (clearTimeout(timer), (waiter = undefined), resolve()) }
      })
    },
    nextFrame(index) {
      return new Promise((resolve) => frameWaiters.set(index, (text) => (frameWaiters.delete(index), resolve(JSON.parse(text)))))
    },
    close() {
      for (const socket of sockets) socket.terminate()
    },
  }
}

/** Frames per second delivered to the clients for `reps` requests of `n` writes each. */
async function deliveryRate(url: string, clients: Clients, n: number, reps: number): Promise<number> {
  let elapsed = 0
  for (let rep = 0; rep < reps; rep++) {
    const target = clients.total + n * clients.count
    const start = performance.now()
    const posted = await send(`${url}/stream-set`, 'POST', { group: 'fan', n })
    if (posted.status !== 202) throw new Error(`POST /stream-set answered ${posted.status}: ${posted.body.slice(0, 200)}`)
    await clients.until(target)
    elapsed += since(start)
  }
  return (n * clients.count * reps) / (elapsed / 1000)
}

export interface FanoutShape {
  sockets: number
  sets: number
  reps: number
  runs: number
}

/** One fan-out shape against the stream server and the bare ws broadcast, alternating, median of the runs. */
export async function runStreamFanout(server: ServerProcess, bare: ServerProcess, shape: FanoutShape): Promise<Row[]> {
  const ours = await connect(server.url, shape.sockets, () => 'fan')
  const theirs = await connect(bare.url, shape.sockets, () => 'fan')
  const server_: number[] = []
  const baseline: number[] = []
  try {
    await deliveryRate(server.url, ours, shape.sets, 1)
    await deliveryRate(bare.url, theirs, shape.sets, 1)
    for (let run = 0; run < shape.runs; run++) {
      server_.push(await deliveryRate(server.url, ours, shape.sets, shape.reps))
      baseline.push(await deliveryRate(bare.url, theirs, shape.sets, shape.reps))
    }
  } finally {
    ours.close()
    theirs.close()
  }
  const what = `${shape.sets.toLocaleString('en-US')} set${shape.sets === 1 ? '' : 's'} to ${shape.sockets.toLocaleString('en-US')} sockets`
  return [
    {
      scenario: 'streams fan-out (default store)',
      metric: what,
      unit: 'frames/s',
      value: median(server_),
      baseline: median(baseline),
      target: { on: 'ratio', kind: 'min', limit: 0.8 },
      note: `median of ${shape.runs} runs of ${shape.reps} x POST /stream-set (the handler's sets at once) until every socket got every frame; baseline: a bare ws server on node:http broadcasting the same frames to the same number of sockets (each socket's send() given the frame text, as a plain broadcast loop does; motia-like encodes a frame once for all its sockets)`,
    },
  ]
}

/** Milliseconds from a handler's `set` to the frame on a local item subscriber, one write at a time. */
export async function runStreamLatency(server: ServerProcess, label: string, limitMs: number, samples: number): Promise<Row[]> {
  const clients = await connect(server.url, 1, () => 'latency', 'item')
  const delays: number[] = []
  try {
    for (let sample = 0; sample < samples + 20; sample++) {
      const frame = clients.nextFrame(0)
      const posted = await send(`${server.url}/stream-set`, 'POST', { group: 'latency', id: 'item', n: 1 })
      if (posted.status !== 202) throw new Error(`POST /stream-set answered ${posted.status}: ${posted.body.slice(0, 200)}`)
      const { event } = await frame
      const delay = performance.timeOrigin + performance.now() - event.data.sentAt
      if (sample >= 20) delays.push(delay)
    }
  } finally {
    clients.close()
  }
  return [
    {
      scenario: `streams latency (${label})`,
      metric: `set -> frame on a local client, p50`,
      unit: 'ms',
      value: median(delays),
      target: { on: 'value', kind: 'max', limit: limitMs },
      note: `${samples} writes one at a time after 20 warm-up; p90 ${percentile(delays, 90).toFixed(2)} ms, p99 ${percentile(delays, 99).toFixed(2)} ms; from the handler's clock reading before set() to the frame's arrival (same machine clock)`,
    },
  ]
}

/** Server RSS with `count` idle sockets, each subscribed to one of 100 groups. */
export async function runStreamConnections(server: ServerProcess, count: number): Promise<Row[]> {
  const before = rssMb(server.pid)
  const started = performance.now()
  const clients = await connect(server.url, count, (i) => `idle-${i % 100}`)
  const connectSeconds = since(started) / 1000
  const after = rssMb(server.pid)
  clients.close()
  return [
    {
      scenario: 'streams connections (default store)',
      metric: `${count.toLocaleString('en-US')} idle subscribed sockets, server RSS`,
      unit: 'MB',
      value: after,
      target: { on: 'value', kind: 'max', limit: 300 },
      note: `RSS ${before.toFixed(0)} MB before they connected; all connected, joined and synced in ${connectSeconds.toFixed(1)} s`,
    },
  ]
}
