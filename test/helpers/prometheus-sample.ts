/** The value of one sample line of a Prometheus text exposition, or undefined when it is absent. */
export function sample(text: string, line: string): number | undefined {
  const found = text.split('\n').find((candidate) => candidate.startsWith(`${line} `))
  return found === undefined ? undefined : Number(found.slice(line.length + 1))
}
