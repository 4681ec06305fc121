import { styleText } from 'node:util'
import type { ReloadReport } from '../dev/reloader.ts'
import { buildFlowWarnings } from '../graph/build-flow-graph.ts'
import type { Runtime } from '../runtime/create-runtime.ts'
import { compareCodePoints } from '../state/compare-code-points.ts'

const color = process.stdout.isTTY && !process.env['NO_COLOR']
/** Colors text when printing to a terminal. */
export const paint = (format: Parameters<typeof styleText>[0], text: string) => (color ? styleText(format, text) : text)

/** Prints what a started server serves: URL, routes, subscriptions, crons, streams, warnings and load errors. */
export function printBanner(
  app: { url: string; runtime: Runtime; store: string },
  mode: 'dev' | 'start',
  startedInMs: number,
  workbench = false,
): void {
  const { runtime } = app
  const steps = runtime.registry.steps()
  const lines: string[] = [
    `${paint('bold', 'motia-like')} ${mode} ready at ${paint('cyan', app.url)} in ${Math.round(startedInMs)} ms (${steps.length} steps)`,
    paint('dim', `jobs and state: ${app.store}`),
  ]
  if (workbench) lines.push(`Workbench: ${paint('cyan', `${app.url}/__motia/workbench`)}`)
  // Code-point order, not localeCompare: the first collation loads ICU's data, a cost paid at every start.
  const routes = runtime.apiSteps.routes().sort((a, b) => compareCodePoints(a.path, b.path))
  if (routes.length) lines.push('', paint('bold', 'routes'))
  for (const route of routes) lines.push(`  ${route.method.padEnd(7)} ${route.path.padEnd(32)} ${paint('dim', route.step)}`)
  const events = steps.filter((step) => step.type === 'event').sort((a, b) => compareCodePoints(a.name, b.name))
  if (events.length) lines.push('', paint('bold', 'subscriptions'))
  for (const step of events) lines.push(`  ${step.subscribes.join(', ').padEnd(40)} ${paint('dim', step.name)}`)
  const crons = runtime.cron.scheduled()
  if (crons.length) lines.push('', paint('bold', 'cron'))
  for (const cron of crons) lines.push(`  ${cron.cron.padEnd(40)} ${paint('dim', cron.step)}`)
  const streams = runtime.streams.registry.list().sort((a, b) => compareCodePoints(a.name, b.name))
  if (streams.length) lines.push('', `${paint('bold', 'streams')} ${paint('dim', `on ${app.url.replace(/^http/, 'ws')}`)}`)
  for (const stream of streams) lines.push(`  ${stream.name.padEnd(40)} ${paint('dim', stream.relativeFile)}`)
  const warnings = buildFlowWarnings(steps)
  if (warnings.length) lines.push('')
  for (const warning of warnings) lines.push(paint('yellow', `warning: ${warning.message}`))
  const errors = runtime.registry.errors()
  if (errors.length) lines.push('')
  for (const error of errors) lines.push(paint('red', `error: ${error.message}`))
  process.stdout.write(`${lines.join('\n')}\n\n`)
}

/** Prints one line per reload, and each load error with file and line. */
export function printReload(report: ReloadReport): void {
  if (report.files.length === 0) return
  const took = `${Math.round(report.durationMs)} ms`
  const failed = new Set(report.errors.map((error) => error.file))
  const reloaded = report.files.filter((file) => !failed.has(file))
  const lines = reloaded.length ? [`${paint('green', 'reloaded')} ${reloaded.join(', ')} in ${took}`] : []
  for (const error of report.errors) lines.push(paint('red', `error: ${error.message} (the previous version keeps serving)`))
  process.stdout.write(`${lines.join('\n')}\n`)
}
