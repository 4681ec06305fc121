import { createAlarm } from './alarm.ts'

/** Something that must finish by `deadline` (ms since epoch). */
export interface Deadlined {
  readonly deadline: number
}

/** Watches many deadlines with a single timer, so starting an attempt creates no timer of its own. */
export interface DeadlineWatch<T extends Deadlined> {
  add(item: T): void
  delete(item: T): void
  clear(): void
}

/** Creates a watch that calls `onExpired` once for each item still watched when its deadline passes. */
export function createDeadlineWatch<T extends Deadlined>(
  now: () => number,
  onExpired: (item: T) => void,
  onError: (error: unknown) => void,
): DeadlineWatch<T> {
  const items = new Set<T>()

  const check = (): void => {
    const time = now()
    let next = Infinity
    for (const item of items) {
      if (item.deadline <= time) {
        items.delete(item)
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
    },
    clear() {
      items.clear()
      alarm.clear()
    },
  }
}
