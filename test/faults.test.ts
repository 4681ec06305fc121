import { once } from 'node:events'
import { rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Job } from '../src/queue/queue.ts'
import { eventually, type ServerProcess, spawnServer } from './helpers/spawn-cli.ts'
import { copyFixture } from './helpers/start-fixture.ts'

// Hung imports give up after a second here, so every start of the fixture waits that long, no more.
const env = { MOTIA_LOAD_TIMEOUT_MS: '1000' }

let project: ReturnType<typeof copyFixture>
const servers: ServerProcess[] = []
beforeAll(() => {
  project = copyFixture('faults')
})
afterAll(async () => {
  const running = servers.filter(({ child }) => child.exitCode === null && child.signalCode === null)
  await Promise.allSettled(running.map((server) => server.stop('SIGKILL')))
  project.remove()
})

async function start(mode: 'start' | 'dev' = 'start', dir = project.dir): Promise<ServerProcess> {
  const server = await spawnServer(mode, dir, [], env)
  servers.push(server)
  return server
}

async function post(server: ServerProcess, path: string, body: unknown = {}): Promise<Response> {
  return fetch(`${server.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
}

const emit = (server: ServerProcess, topic: string, data: unknown = {}) => post(server, '/emit', { topic, data })

async function jobsOf(server: ServerProcess, step: string): Promise<Job[]> {
  const response = await fetch(`${server.url}/__motia/jobs?step=${step}&limit=100`)
  if (!response.ok) throw new Error(`jobs of ${step}: ${response.status}`)
  return ((await response.json()) as { jobs: Job[] }).jobs
}

/** The messages of the JSON log lines a server printed. */
function logged(server: ServerProcess): string[] {
  return server
    .output()
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => String((JSON.parse(line) as { msg?: unknown }).msg))
}

const healthy = async (server: ServerProcess) => (await fetch(`${server.url}/__motia/health`)).status === 200

describe('faults from step code, on a real `start` server', () => {
  let server: ServerProcess
  beforeAll(async () => {
    server = await start()
  })

  it('keeps answering after an unawaited failing emit, a throw in a timer and a floating rejection, and logs each', async () => {
    for (const path of ['/unawaited-emit', '/timer-throw', '/floating']) {
      expect((await post(server, path)).status).toBe(200)
      expect(await healthy(server)).toBe(true)
    }
    await eventually(async () => (/floating boom/.test(server.output()) ? true : undefined))
    const messages = logged(server)
    expect(messages).toContainEqual(
      expect.stringMatching(/^Step "UnawaitedEmit" \(steps\/unawaited-emit\.step\.ts\) did not await a context call, which failed: Step "UnawaitedEmit" .* emitted "not\.declared", which is not in its config\.emits/),
    )
    expect(messages).toContain('An exception nobody caught in step code: timer boom. The server keeps running; handle the error where the promise or timer callback is made.')
    expect(messages).toContain('A promise rejected with nobody handling it in step code: floating boom. The server keeps running; handle the error where the promise or timer callback is made.')
    expect(server.child.exitCode).toBeNull()
  })

  it('fails the attempt whose own unawaited state write failed, while it still runs', async () => {
    expect((await emit(server, 'faults.careless')).status).toBe(200)
    const [job] = await eventually(async () => {
      const jobs = await jobsOf(server, 'CarelessJob')
      return jobs[0]?.status === 'dead' ? jobs : undefined
    })
    expect(job).toMatchObject({ attempts: 1, lastError: expect.stringMatching(/State value for "k" in group "careless" is undefined/) })
    // The log line may reach the output a moment after the job's record.
    const line = await eventually(async () => server.output().split('\n').find((text) => text.includes('did not await') && text.includes('CarelessJob')))
    expect(JSON.parse(line)).toMatchObject({ step: 'CarelessJob', traceId: job?.traceId, jobId: job?.id })
  })

  it('dead-letters a job that throws a cyclic value after its retries', async () => {
    expect((await emit(server, 'faults.cyclic')).status).toBe(200)
    const [job] = await eventually(async () => {
      const jobs = await jobsOf(server, 'Cyclic')
      return jobs[0]?.status === 'dead' ? jobs : undefined
    }, 10_000)
    expect(job).toMatchObject({ attempts: 2, lastError: 'payment service answered 502' })
  })

  it('does not time out a waiting job while another step blocks the event loop, and names the step that blocked it', async () => {
    expect((await emit(server, 'faults.patient')).status).toBe(200)
    expect((await emit(server, 'faults.busy')).status).toBe(200)
    const [patient] = await eventually(async () => {
      const jobs = await jobsOf(server, 'Patient')
      return jobs[0]?.status === 'completed' || jobs[0]?.status === 'dead' ? jobs : undefined
    })
    expect(patient).toMatchObject({ status: 'completed', attempts: 1, errors: [] })
    await eventually(async () => ((await jobsOf(server, 'Busy'))[0]?.status === 'completed' ? true : undefined))
    expect(logged(server).filter((message) => /^Step "Busy" \(steps\/busy\.step\.ts\) blocked the event loop for 1\.\d s/.test(message))).toHaveLength(1)
  })

  it('lists a step file whose import never finishes as a load error, and serves the rest', async () => {
    const steps = (await (await fetch(`${server.url}/__motia/steps`)).json()) as { steps: unknown[]; errors: Array<{ file: string; message: string }> }
    expect(steps.errors).toEqual([
      expect.objectContaining({
        file: 'steps/hung.step.mts',
        message: expect.stringMatching(/Cannot load steps\/hung\.step\.mts: its import did not finish within 1 s .*MOTIA_LOAD_TIMEOUT_MS/),
      }),
    ])
    expect(steps.steps.length).toBeGreaterThan(5)
  })

  afterAll(async () => {
    expect(await server.stop()).toBe(0)
  })
})

describe('a crash loop of one poison job', () => {
  it('leaves the ten jobs that ran beside it completed, and the poison job dead', async () => {
    let server = await start()
    for (let id = 0; id < 10; id += 1) expect((await emit(server, 'faults.innocent', { id: String(id) })).status).toBe(200)
    expect((await emit(server, 'faults.poison')).status).toBe(200)
    const outcomes: string[] = []
    for (let run = 0; run < 6; run += 1) {
      const exited = once(server.child, 'exit').then(() => 'crashed')
      const settled = eventually(async () => {
        const [poison] = await jobsOf(server, 'Poison')
        const innocents = await jobsOf(server, 'Innocent')
        return poison?.status === 'dead' && innocents.every((job) => job.status === 'completed') ? 'settled' : undefined
      }, 30_000)
      const outcome = await Promise.race([exited, settled.catch(() => 'still running')])
      outcomes.push(outcome)
      if (outcome !== 'crashed') break
      // A supervisor starts it again.
      server = await start()
    }
    expect(outcomes.at(-1)).toBe('settled')
    expect(outcomes.filter((outcome) => outcome === 'crashed').length).toBeGreaterThanOrEqual(2)
    const innocents = await jobsOf(server, 'Innocent')
    expect(innocents).toHaveLength(10)
    for (const job of innocents) expect(job).toMatchObject({ status: 'completed', attempts: 1 })
    const [poison] = await jobsOf(server, 'Poison')
    expect(poison).toMatchObject({ status: 'dead', attempts: 2 })
    expect(poison?.lastError).toMatch(/was running alone, after an earlier stop; the job is taken to stop the process/)
    expect(await server.stop()).toBe(0)
  }, 120_000)
})

describe('a hung import in `dev`', () => {
  it('becomes a load error and does not block later reloads; SIGTERM still stops the server', async () => {
    const dev = copyFixture('faults')
    try {
      const hung = join(dev.dir, 'steps', 'hung.step.mts')
      rmSync(hung)
      const server = await start('dev', dev.dir)
      writeFileSync(hung, "await new Promise(() => {})\nexport const config = { type: 'noop', name: 'Hung', virtualSubscribes: ['x'] }\n")
      writeFileSync(
        join(dev.dir, 'steps', 'later.step.ts'),
        "export const config = { type: 'api', name: 'Later', method: 'GET', path: '/later', emits: [], flows: ['faults'] }\nexport const handler = async () => ({ status: 200, body: { later: true } })\n",
      )
      await eventually(async () => ((await fetch(`${server.url}/later`)).status === 200 ? true : undefined), 15_000)
      await eventually(async () => (/hung\.step\.mts: its import did not finish within 1 s/.test(server.output()) ? true : undefined))
      rmSync(hung)
      expect(await server.stop()).toBe(0)
    } finally {
      dev.remove()
    }
  }, 60_000)
})
