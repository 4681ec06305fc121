/**
 * How much an untraced fan-out (`start --memory`) slows while another process works at the lowest priority
 * (nice 19) on the machine, in alternating runs: none, a loop that only spins, and a loop that copies 16 MB
 * buffers. The traced rows of `npm run bench` share the cores with the export worker and the OTLP receiver;
 * this tells whether the server's thread is slowed by the CPU they take (the spinning loop) or by the memory
 * they move (the copying one), with no tracing code involved.
 * Run: npx tsx bench/neighbour-load.ts [runs] [events per fan-out]
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import { benchProject, createWorkspace } from './project.ts'
import { serverRate } from './scenarios/fanout.ts'
import { spawnCli } from './server.ts'
import { median } from './stats.ts'

const runs = Number(process.argv[2] ?? 12)
const events = Number(process.argv[3] ?? 10_000)

/** What the neighbour does once it is at nice 19 and has said so. */
const neighbours = {
  none: null,
  spinning: 'for (;;) {}',
  copying: 'const from = Buffer.alloc(16 << 20), to = Buffer.alloc(16 << 20); for (;;) from.copy(to)',
} as const

/** Starts a node process that lowers its priority, prints a line, then runs `loop` until it is killed. */
async function startNeighbour(loop: string): Promise<ChildProcess> {
  const source = `require('node:os').setPriority(19); process.stdout.write('ready\\n'); ${loop}`
  const child = spawn(process.execPath, ['-e', source], { stdio: ['ignore', 'pipe', 'inherit'] })
  await once(child.stdout, 'data')
  return child
}

async function stopNeighbour(child: ChildProcess): Promise<void> {
  const exited = once(child, 'exit')
  child.kill('SIGKILL')
  await exited
}

const workspace = createWorkspace()
try {
  const server = await spawnCli('start', workspace.project('neighbour-load', benchProject()), ['--memory'])
  try {
    for (let warm = 0; warm < 3; warm++) await serverRate(server.url, `warm-${warm}`, events, 'together')
    const rates = Object.fromEntries(Object.keys(neighbours).map((name) => [name, [] as number[]]))
    for (let run = 0; run < runs; run++) {
      for (const [name, loop] of Object.entries(neighbours)) {
        const neighbour = loop === null ? null : await startNeighbour(loop)
        try {
          rates[name]?.push(await serverRate(server.url, `${name}-${run}`, events, 'together'))
        } finally {
          if (neighbour) await stopNeighbour(neighbour)
        }
      }
    }
    const alone = median(rates['none'] ?? [])
    for (const [name, samples] of Object.entries(rates)) {
      const rate = median(samples)
      console.log(`neighbour ${name.padEnd(8)} median ${Math.round(rate)} events/s, ${(rate / alone).toFixed(3)}x of none`)
    }
  } finally {
    await server.stop()
  }
} finally {
  workspace.remove()
}
