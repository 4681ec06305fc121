import { toDot } from '../../graph/to-dot.ts'
import { toJson } from '../../graph/to-json.ts'
import { toMermaid } from '../../graph/to-mermaid.ts'
import { buildFlowGraph } from '../../graph/build-flow-graph.ts'
import { readSteps } from '../../codegen/read-steps.ts'
import { claimStdout } from '../claim-stdout.ts'
import { CliError } from '../cli-error.ts'
import { toProjectDir } from '../options.ts'

const renderers = { json: toJson, mermaid: toMermaid, dot: toDot } as const

/** `motia-like graph`: loads the steps (without running anything) and prints the graph. */
export async function graph(flags: { dir?: string; format: string; flow?: string; check?: boolean }): Promise<void> {
  const render = renderers[flags.format as keyof typeof renderers]
  if (!render) throw new CliError(`Unknown format "${flags.format}". Use json, mermaid or dot.`)
  const print = claimStdout()
  const projectDir = toProjectDir(flags.dir)
  const { steps, errors } = await readSteps(projectDir)
  const flowGraph = buildFlowGraph(steps, flags.flow ? { flow: flags.flow } : undefined)
  if (flags.flow && !flowGraph.flows.includes(flags.flow)) {
    throw new CliError(`No flow named "${flags.flow}". Flows: ${flowGraph.flows.join(', ') || 'none'}.`)
  }
  print(render(flowGraph))
  for (const error of errors) process.stderr.write(`error: ${error.message}\n`)
  for (const warning of flowGraph.warnings) process.stderr.write(`warning: ${warning.message}\n`)
  if (flags.check && (errors.length > 0 || flowGraph.warnings.length > 0)) {
    process.stderr.write(`graph check failed: ${errors.length} load error(s), ${flowGraph.warnings.length} warning(s)\n`)
    process.exitCode = 1
  }
}
