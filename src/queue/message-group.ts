import { isTerminalStatus } from './job-store.ts'
import type { JobStatus } from './queue.ts'

/** A job as a message group sees it: its creation sequence and current status. */
export interface GroupMember {
  readonly seq: number
  status: JobStatus
}

/**
 * The unfinished jobs of one messageGroupId in creation order. Members that finish are dropped
 * lazily (when they reach the front, or by compaction), so finishing a job is O(1).
 */
export interface MessageGroup<T extends GroupMember> {
  /** Members that are pending, running or failed. */
  readonly live: number
  /** The oldest member that is pending, running or failed. */
  head(): T | undefined
  /** Adds a new member, newer than every other. */
  append(member: T): void
  /** Counts again a member that became pending after it had finished (a retry), in creation order. */
  revive(member: T): void
  /** Notes that a member finished (completed, dead or cancelled). */
  release(): void
}

const compactAbove = 64

/** Creates an empty message group. */
export function createMessageGroup<T extends GroupMember>(): MessageGroup<T> {
  let items: T[] = []
  let start = 0
  let live = 0

  const compact = (): void => {
    items = items.slice(start).filter((member) => !isTerminalStatus(member.status))
    start = 0
  }

  const compactIfSparse = (): void => {
    const held = items.length - start
    if (held > compactAbove && live * 2 < held) compact()
  }

  return {
    get live() {
      return live
    },
    head() {
      while (start < items.length && isTerminalStatus((items[start] as T).status)) start += 1
      if (start > compactAbove && start * 2 > items.length) compact()
      return items[start]
    },
    append(member) {
      compactIfSparse()
      items.push(member)
      live += 1
    },
    revive(member) {
      let low = start
      let high = items.length
      while (low < high) {
        const middle = (low + high) >> 1
        if ((items[middle] as T).seq < member.seq) low = middle + 1
        else high = middle
      }
      if (items[low] !== member) items.splice(low, 0, member)
      live += 1
    },
    release() {
      live -= 1
    },
  }
}
