/** Writes to the real stdout, after `claimStdout` sent everything else to stderr. */
export type StdoutWriter = (text: string) => void

/**
 * Keeps stdout for a command's own output (JSON, a graph, a document) until the process exits:
 * whatever else writes to it, such as a step module printing at import (a dotenv banner), goes to
 * stderr instead, so `motia-like graph --format json | jq` always reads clean JSON.
 */
export function claimStdout(): StdoutWriter {
  const write = process.stdout.write.bind(process.stdout)
  process.stdout.write = process.stderr.write.bind(process.stderr) as typeof process.stdout.write
  return (text) => {
    write(text)
  }
}
