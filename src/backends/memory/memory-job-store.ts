import { createIndexedHeap, type IndexedHeap } from '../../queue/indexed-heap.ts'
import { isTerminalStatus, type JobQuery, type JobStatsInput, type JobStore } from '../../queue/job-store.ts'
import { createMessageGroup, type MessageGroup } from '../../queue/message-group.ts'
import { toJobDataCopy } from '../../queue/new-job-checks.ts'
import type { Job, JobStatus } from '../../queue/queue.ts'

/** Bounds of the memory job store. */
export interface MemoryJobStoreOptions {
  /** Completed jobs kept for inspection; older ones are evicted. Dead jobs are never evicted. */
  keepCompleted?: number
}

type Place = 'none' | 'delayed' | 'ready' | 'parked'

interface StoredJob extends Job {
  readonly seq: number
  readonly idempotencyKey: string | null
  heapIndex: number
  place: Place
}

/** Per-step indexes, so picking a job never scans the jobs of other steps or finished jobs. */
interface StepIndex {
  /** Waiting jobs whose runAt may be in the future, by runAt. */
  delayed: IndexedHeap<StoredJob>
  /** Waiting jobs whose runAt has passed, by priority then sequence. */
  ready: IndexedHeap<StoredJob>
  /** Ready jobs a fifo claim skipped because an older job of their group is unfinished. */
  parked: Set<StoredJob>
  groups: Map<string | null, MessageGroup<StoredJob>>
  unsettled: number
}

const isWaiting = (status: JobStatus): boolean => status === 'pending' || status === 'failed'

const byRunAt = (a: StoredJob, b: StoredJob): boolean =>
  a.runAt < b.runAt || (a.runAt === b.runAt && a.seq < b.seq)

const byPriority = (a: StoredJob, b: StoredJob): boolean =>
  a.priority > b.priority || (a.priority === b.priority && a.seq < b.seq)

const toJob = (stored: StoredJob): Job => ({
  id: stored.id,
  step: stored.step,
  topic: stored.topic,
  data: stored.data,
  traceId: stored.traceId,
  status: stored.status,
  attempts: stored.attempts,
  maxAttempts: stored.maxAttempts,
  lastError: stored.lastError,
  errors: stored.errors.slice(),
  messageGroupId: stored.messageGroupId,
  priority: stored.priority,
  createdAt: stored.createdAt,
  startedAt: stored.startedAt,
  finishedAt: stored.finishedAt,
  runAt: stored.runAt,
  traceContext: stored.traceContext,
  ...(stored.batchId === undefined ? {} : { batchId: stored.batchId }),
})

const matches = (job: StoredJob, query: JobQuery): boolean =>
  (query.status === undefined || job.status === query.status) &&
  (query.step === undefined || job.step === query.step) &&
  (query.topic === undefined || job.topic === query.topic) &&
  (query.traceId === undefined || job.traceId === query.traceId) &&
  (query.search === undefined || (JSON.stringify(job.data) ?? '').includes(query.search))

/** Creates a JobStore that keeps jobs in process memory, with per-step ready heaps and FIFO groups. */
export function createMemoryJobStore(options: MemoryJobStoreOptions = {}): JobStore {
  const keepCompleted = Math.max(0, options.keepCompleted ?? 10_000)
  const jobs = new Map<string, StoredJob>()
  const byIdempotencyKey = new Map<string, StoredJob>()
  const steps = new Map<string, StepIndex>()
  let completed: StoredJob[] = []
  let completedStart = 0
  let sequence = 0

  const keyOf = (step: string, key: string): string => `${step}\u0000${key}`

  const indexOf = (step: string): StepIndex => {
    let index = steps.get(step)
    if (!index) {
      index = {
        delayed: createIndexedHeap(byRunAt),
        ready: createIndexedHeap(byPriority),
        parked: new Set(),
        groups: new Map(),
        unsettled: 0,
      }
      steps.set(step, index)
    }
    return index
  }

  const groupOf = (index: StepIndex, groupId: string | null): MessageGroup<StoredJob> => {
    let group = index.groups.get(groupId)
    if (!group) {
      group = createMessageGroup()
      index.groups.set(groupId, group)
    }
    return group
  }

  const detach = (index: StepIndex, job: StoredJob): void => {
    if (job.place === 'delayed') index.delayed.remove(job)
    else if (job.place === 'ready') index.ready.remove(job)
    else if (job.place === 'parked') index.parked.delete(job)
    job.place = 'none'
  }

  const toReady = (index: StepIndex, job: StoredJob): void => {
    job.place = 'ready'
    index.ready.push(job)
  }

  const schedule = (index: StepIndex, job: StoredJob): void => {
    if (!isWaiting(job.status)) return
    job.place = 'delayed'
    index.delayed.push(job)
  }

  /** Moves the delayed jobs due by `now` to the ready heap; true when it moved any. */
  const promote = (index: StepIndex, now: number): boolean => {
    let moved = false
    for (let top = index.delayed.peek(); top && top.runAt <= now; top = index.delayed.peek()) {
      index.delayed.pop()
      toReady(index, top)
      moved = true
    }
    return moved
  }

  /** A group's oldest job finished: the next one, if a fifo claim parked it, may run now. */
  const releaseFromGroup = (index: StepIndex, job: StoredJob): void => {
    const group = index.groups.get(job.messageGroupId)
    if (!group) return
    group.release()
    if (group.live === 0) {
      index.groups.delete(job.messageGroupId)
      return
    }
    const head = group.head()
    if (head?.place === 'parked') {
      index.parked.delete(head)
      toReady(index, head)
    }
  }

  const evictCompleted = (): void => {
    while (completed.length - completedStart > keepCompleted) {
      const oldest = completed[completedStart] as StoredJob
      completedStart += 1
      jobs.delete(oldest.id)
      if (oldest.idempotencyKey !== null) {
        const key = keyOf(oldest.step, oldest.idempotencyKey)
        if (byIdempotencyKey.get(key) === oldest) byIdempotencyKey.delete(key)
      }
    }
    if (completedStart > 1024 && completedStart * 2 > completed.length) {
      completed = completed.slice(completedStart)
      completedStart = 0
    }
  }

  const track = (index: StepIndex, job: StoredJob, wasLive: boolean): void => {
    const isLive = !isTerminalStatus(job.status)
    if (wasLive && !isLive) {
      index.unsettled -= 1
      releaseFromGroup(index, job)
    } else if (!wasLive && isLive) {
      index.unsettled += 1
      groupOf(index, job.messageGroupId).revive(job)
    }
    schedule(index, job)
    if (wasLive && job.status === 'completed') {
      completed.push(job)
      evictCompleted()
    }
  }

  return {
    transaction: (fn) => fn(),

    insert(job, idempotencyKey) {
      // What SQLite and Redis would give back: a JSON copy, refused before anything is stored when JSON cannot hold it.
      const data = toJobDataCopy(job)
      sequence += 1
      // Fields are listed, not spread: spreading into an object with extra keys is several times slower.
      const stored: StoredJob = {
        id: job.id,
        step: job.step,
        topic: job.topic,
        data,
        traceId: job.traceId,
        status: job.status,
        attempts: job.attempts,
        maxAttempts: job.maxAttempts,
        lastError: job.lastError,
        errors: job.errors.slice(),
        messageGroupId: job.messageGroupId,
        priority: job.priority,
        createdAt: job.createdAt,
        startedAt: job.startedAt,
        finishedAt: job.finishedAt,
        runAt: job.runAt,
        traceContext: job.traceContext,
        batchId: undefined,
        seq: sequence,
        idempotencyKey,
        heapIndex: -1,
        place: 'none',
      }
      jobs.set(stored.id, stored)
      if (idempotencyKey !== null) byIdempotencyKey.set(keyOf(job.step, idempotencyKey), stored)
      const index = indexOf(job.step)
      if (isTerminalStatus(stored.status)) {
        if (stored.status === 'completed') {
          completed.push(stored)
          evictCompleted()
        }
        return
      }
      index.unsettled += 1
      groupOf(index, stored.messageGroupId).append(stored)
      schedule(index, stored)
    },

    findByIdempotencyKey(step, key, createdSince) {
      const mapKey = keyOf(step, key)
      const found = byIdempotencyKey.get(mapKey)
      if (!found) return null
      if (found.createdAt < createdSince) {
        byIdempotencyKey.delete(mapKey)
        return null
      }
      return toJob(found)
    },

    get(id) {
      const found = jobs.get(id)
      return found ? toJob(found) : null
    },

    claimNext(step, now, fifo) {
      const index = steps.get(step)
      if (!index) return null
      promote(index, now)
      if (!fifo && index.parked.size > 0) {
        for (const job of index.parked) toReady(index, job)
        index.parked.clear()
      }
      for (let job = index.ready.pop(); job; job = index.ready.pop()) {
        job.place = 'none'
        if (fifo && index.groups.get(job.messageGroupId)?.head() !== job) {
          job.place = 'parked'
          index.parked.add(job)
          continue
        }
        job.status = 'running'
        job.attempts += 1
        job.startedAt = now
        return toJob(job)
      }
      return null
    },

    readyJobs(step, now, limit) {
      const index = steps.get(step)
      if (!index) return []
      promote(index, now)
      const taken: StoredJob[] = []
      // The heap is read in order by popping; what was read goes back.
      while (taken.length < limit) {
        const job = index.ready.pop()
        if (!job) break
        taken.push(job)
      }
      for (const job of taken) index.ready.push(job)
      return taken.map(toJob)
    },

    claimBatch(ids, now, batchId) {
      const claimed: Job[] = []
      for (const id of ids) {
        const job = jobs.get(id)
        if (!job || job.place !== 'ready') continue
        indexOf(job.step).ready.remove(job)
        job.place = 'none'
        job.status = 'running'
        job.attempts += 1
        job.startedAt = now
        job.batchId = batchId
        claimed.push(toJob(job))
      }
      return claimed
    },

    update(job) {
      const stored = jobs.get(job.id)
      if (!stored) return
      const index = indexOf(stored.step)
      const wasLive = !isTerminalStatus(stored.status)
      detach(index, stored)
      stored.status = job.status
      stored.attempts = job.attempts
      stored.lastError = job.lastError
      stored.errors = job.errors.slice()
      stored.startedAt = job.startedAt
      stored.finishedAt = job.finishedAt
      stored.runAt = job.runAt
      track(index, stored, wasLive)
    },

    list(query) {
      const all = Array.from(jobs.values())
      const found: Job[] = []
      let total = 0
      for (let i = all.length - 1; i >= 0; i -= 1) {
        const job = all[i] as StoredJob
        if (!matches(job, query)) continue
        total += 1
        if (total > query.offset && found.length < query.limit) found.push(toJob(job))
      }
      return { jobs: found, total }
    },

    statsInput(): JobStatsInput {
      const counts = new Map<string, { step: string; status: JobStatus; count: number }>()
      const runTimesMs: number[] = []
      let oldestPendingCreatedAt: number | null = null
      for (const job of jobs.values()) {
        const key = `${job.status}\u0000${job.step}`
        const entry = counts.get(key)
        if (entry) entry.count += 1
        else counts.set(key, { step: job.step, status: job.status, count: 1 })
        if (job.status === 'pending' && (oldestPendingCreatedAt === null || job.createdAt < oldestPendingCreatedAt)) {
          oldestPendingCreatedAt = job.createdAt
        }
        if (job.status === 'completed' && job.startedAt !== null && job.finishedAt !== null) {
          runTimesMs.push(job.finishedAt - job.startedAt)
        }
      }
      return { counts: Array.from(counts.values()), oldestPendingCreatedAt, runTimesMs }
    },

    countUnsettled(stepNames) {
      let count = 0
      for (const step of stepNames) count += steps.get(step)?.unsettled ?? 0
      return count
    },

    nextRunAt(stepNames, after) {
      let earliest: number | null = null
      for (const step of stepNames) {
        const index = steps.get(step)
        if (!index) continue
        // The dispatcher asks with a later clock reading than its last claim of this step, so a job may have
        // come due in between; moved to the ready heap here, it would wait for no timer: ask to be woken at once.
        const runAt = promote(index, after) ? after + 1 : (index.delayed.peek()?.runAt ?? null)
        if (runAt !== null && (earliest === null || runAt < earliest)) earliest = runAt
      }
      return earliest
    },

    // Nothing to release: the jobs stay readable after the queue stops running them.
    close() {},
  }
}
