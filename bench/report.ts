import { mkdirSync, writeFileSync } from 'node:fs'
import { cpus } from 'node:os'
import { dirname } from 'node:path'

/** A target on the measured value itself or on its ratio to the baseline. */
export interface Target {
  on: 'value' | 'ratio'
  /** `min`: the value must be at least `limit`; `max`: it must stay below it. */
  kind: 'min' | 'max'
  limit: number
}

/** One line of the table. `value` null means the scenario could not be measured (see `note`). */
export interface Row {
  scenario: string
  metric: string
  unit: string
  value: number | null
  baseline?: number
  target?: Target
  note?: string
}

/** value / baseline, when both exist. */
function ratioOf(row: Row): number | undefined {
  if (row.value === null || row.baseline === undefined || row.baseline === 0) return undefined
  return row.value / row.baseline
}

function verdict(row: Row): 'pass' | 'FAIL' | 'n/a' | '' {
  if (!row.target) return ''
  const measured = row.target.on === 'ratio' ? ratioOf(row) : (row.value ?? undefined)
  if (measured === undefined) return 'n/a'
  const ok = row.target.kind === 'min' ? measured >= row.target.limit : measured < row.target.limit
  return ok ? 'pass' : 'FAIL'
}

function formatNumber(value: number, unit: string): string {
  if (unit === 'ms') {
    if (value < 0.1) return value.toFixed(3)
    return value < 10 ? value.toFixed(2) : value < 100 ? value.toFixed(1) : Math.round(value).toString()
  }
  if (unit === 'MB') return value.toFixed(1)
  return Math.round(value).toLocaleString('en-US')
}

function formatTarget(row: Row): string {
  const { target } = row
  if (!target) return ''
  const sign = target.kind === 'min' ? '>=' : '<'
  return target.on === 'ratio' ? `ratio ${sign} ${target.limit}` : `${sign} ${formatNumber(target.limit, row.unit)} ${row.unit}`
}

function toCells(row: Row): string[] {
  const ratio = ratioOf(row)
  return [
    row.scenario,
    row.metric,
    row.value === null ? 'not available' : `${formatNumber(row.value, row.unit)} ${row.unit}`,
    row.baseline === undefined ? '' : `${formatNumber(row.baseline, row.unit)} ${row.unit}`,
    ratio === undefined ? '' : `${ratio < 100 ? ratio.toFixed(2) : Math.round(ratio)}x`,
    formatTarget(row),
    verdict(row),
  ]
}

/** The table as aligned text, with the notes of rows that have one under it. */
export function formatTable(rows: readonly Row[]): string {
  const header = ['scenario', 'metric', 'motia-like', 'baseline', 'ratio', 'target', 'result']
  const lines = [header, ...rows.map(toCells)]
  const widths = header.map((_, column) => Math.max(...lines.map((cells) => (cells[column] ?? '').length)))
  const render = (cells: string[]) => `| ${cells.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join(' | ')} |`
  const rule = `|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|`
  const notes = rows.filter((row) => row.note).map((row) => `- ${row.scenario} / ${row.metric}: ${row.note}`)
  return [render(header), rule, ...lines.slice(1).map(render), ...(notes.length ? ['', ...notes] : [])].join('\n')
}

/** Writes the rows, with ratios and verdicts, and the run settings as JSON. */
export function writeJson(file: string, rows: readonly Row[], meta: Record<string, unknown>): void {
  mkdirSync(dirname(file), { recursive: true })
  const machine = { node: process.version, platform: process.platform, cpus: cpus().length, cpu: cpus()[0]?.model }
  const withVerdicts = rows.map((row) => ({ ...row, ratio: ratioOf(row) ?? null, result: verdict(row) || null }))
  writeFileSync(file, `${JSON.stringify({ ...meta, machine, rows: withVerdicts }, null, 2)}\n`)
}
