import { readdirSync, readFileSync } from 'node:fs'

/** Process ids of the live workers running `runner` (`runner.py`, `runner.rb`) whose parent is `parentPid`, read from /proc. */
export function workerPids(runner: string, parentPid = process.pid): number[] {
  const pids: number[] = []
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8')
      // Fields after the parenthesized command: state, ppid, ...
      const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
      if (Number(ppid) !== parentPid || state === 'Z') continue
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(runner)) pids.push(Number(entry))
    } catch {
      // The process ended while we looked.
    }
  }
  return pids.sort((a, b) => a - b)
}

/** Process ids of the live Python workers whose parent is `parentPid`. */
export function pythonWorkerPids(parentPid = process.pid): number[] {
  return workerPids('runner.py', parentPid)
}

/** True while a process with this id exists (zombies included until reaped). */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}
