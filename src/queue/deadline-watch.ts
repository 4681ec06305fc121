import { createAlarm } from './alarm.ts'

/** Something that must finish by `deadline` (ms since epoch), which it was given `timeoutMs` to do. */
export interface Deadlined {
  deadline: number
  readonly timeoutMs: number
}

/** Watches many deadlines with a single timer, so starting an attempt creates no timer of its own. */
export interface DeadlineWatch<T extends Deadlined> {
  add(item: T): void
  delete(item: T): void
  clear(): void
}

/**
 * How late the timer may ring before the event loop counts as blocked. Timers of a busy but healthy
 * loop ring a few milliseconds late; a handler that computes for seconds delays them by that long.
 */
export const LOOP_BLOCKED_MS = 100

/**
 * Creates a watch that calls `onExpired` once for each item still watched when its deadline passes.
 * When the timer rings late because the event loop was blocked, an item whose deadline passed in the
 * meantime had no chance to finish either: it gets the blocked time back (at most its own timeout in
 * all) and is checked again once the loop has run, so one step that blocks the loop does not time out
 * the attempts of others. An attempt that is really stuck still times out, only later.
 */
export function createDeadlineWatch<T extends Deadlined>(
  now: () => number,
  onExpired: (item: T) => void,
  onError: (error: unknown) => void,
): DeadlineWatch<T> {
  const items = new Set<T>()
  /** Time given back to items so far, kept only for items that got some. */
  const granted = new Map<T, number>()

  /** True when the item got the blocked time back instead of expiring. */
  const giveBack = (item: T, blockedMs: number, time: number): boolean => {
    const before = granted.get(item) ?? 0
    const grant = Math.min(blockedMs, item.timeoutMs - before)
    if (grant <= 0) return false
    granted.set(item, before + grant)
    item.deadline = Math.max(item.deadline + grant, time + 1)
    return true
  }

  const check = (due: number): void => {
    const time = now()
    const blockedMs = time - due
    let next = Infinity
    for (const item of items) {
      if (item.deadline <= time && !(blockedMs > LOOP_BLOCKED_MS && giveBack(item, blockedMs, time))) {
        items.delete(item)
        granted.delete(item)
        try {
          onExpired(item)
        } catch (error) {
          onError(error)
        }
      } else if (item.deadline < next) {
        next = item.deadline
      }
    }
    if (next !== Infinity) alarm.set(next)
    alarm.hold(items.size > 0)
  }

  const alarm = createAlarm(now, check, onError)

  return {
    add(item) {
      if (!Number.isFinite(item.deadline)) return
      items.add(item)
      alarm.hold(true)
      if (alarm.at === null || item.deadline < alarm.at) alarm.set(item.deadline)
    },
    // The timer stays set when the last item leaves (re-arming it for every attempt would cost a timer
    // per job); it only stops holding the process open.
    delete(item) {
      if (items.delete(item) && items.size === 0) alarm.hold(false)
      if (granted.size > 0) granted.delete(item)
    },
    clear() {
      items.clear()
      granted.clear()
      alarm.clear()
    },
  }
}
