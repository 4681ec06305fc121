import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { createModuleImporter } from './import-module.ts'
import { loadStep } from './load-step.ts'

const dir = mkdtempSync(join(tmpdir(), 'load-step-'))
const importer = createModuleImporter(dir)
afterAll(() => rmSync(dir, { recursive: true, force: true }))

function write(name: string, source: string): string {
  const file = join(dir, name)
  writeFileSync(file, source)
  return file
}

const load = (file: string) => loadStep(file, dir, importer)

describe('loading a step file', () => {
  it('normalizes emits and converts schemas to JSON Schema', async () => {
    const step = await load(
      write(
        'ok.step.mjs',
        `export const config = { type: 'event', name: 'Ok', subscribes: ['a'], emits: ['b', { topic: 'c', label: 'maybe', conditional: true }],
           input: { type: 'object', properties: { id: { type: 'string' } }, required: ['id'] } }
         export const handler = async () => {}`,
      ),
    )
    expect(step.emits).toEqual([{ topic: 'b' }, { topic: 'c', label: 'maybe', conditional: true }])
    expect(step.jsonSchemas.input).toMatchObject({ required: ['id'] })
    expect(step.validators.input?.({}).ok).toBe(false)
  })

  it('gives the JSON Schema of each schema an API step has, and no key for one it lacks', async () => {
    const step = await load(
      write(
        'api.step.mjs',
        `export const config = { type: 'api', name: 'Api', method: 'POST', path: '/api', emits: [],
           bodySchema: { type: 'object', properties: { name: { type: 'string' } } } }
         export const handler = async () => ({ status: 200 })`,
      ),
    )
    expect(Object.keys(step.jsonSchemas)).toEqual(['body'])
    expect(JSON.parse(JSON.stringify(step.jsonSchemas))).toEqual({ body: { type: 'object', properties: { name: { type: 'string' } } } })
    expect(step.jsonSchemas.body).toBe(step.jsonSchemas.body)
  })

  it('refuses a cron expression that never fires and an unknown time zone, naming the file and the field', async () => {
    const never = write('never.step.mjs', `export const config = { type: 'cron', name: 'Never', cron: '0 0 31 2 *' }\nexport const handler = async () => {}`)
    await expect(load(never)).rejects.toThrow(/^Invalid step config in never\.step\.mjs:1: config\.cron "0 0 31 2 \*" never fires .*month fields\.$/)
    const zone = write('zone.step.mjs', `export const config = { type: 'cron', name: 'Zone', cron: '0 * * * *', timezone: 'Mars/Olympus' }\nexport const handler = async () => {}`)
    await expect(load(zone)).rejects.toThrow('Invalid step config in zone.step.mjs:1: config.timezone is not a time zone; use an IANA name such as "Europe/Paris" or "UTC".')
    const leap = write('leap.step.mjs', `export const config = { type: 'cron', name: 'Leap', cron: '0 0 29 2 *', timezone: 'Europe/Paris' }\nexport const handler = async () => {}`)
    expect((await load(leap)).name).toBe('Leap')
  })

  it("accepts infrastructure.cron.overlap 'skip' or 'allow' on a cron step, and nothing else", async () => {
    const allow = write('allow.step.mjs', `export const config = { type: 'cron', name: 'Allow', cron: '* * * * *', infrastructure: { cron: { overlap: 'allow' } } }\nexport const handler = async () => {}`)
    expect((await load(allow)).config).toMatchObject({ infrastructure: { cron: { overlap: 'allow' } } })
    const wrong = write('wrong.step.mjs', `export const config = { type: 'cron', name: 'Wrong', cron: '* * * * *', infrastructure: { cron: { overlap: 'sometimes' } } }\nexport const handler = async () => {}`)
    await expect(load(wrong)).rejects.toThrow(/config\.infrastructure\.cron\.overlap must be "skip" .* or "allow"/)
  })

  it('names the missing handler', async () => {
    const file = write('nohandler.step.mjs', `export const config = { type: 'api', name: 'NoHandler', method: 'GET', path: '/x' }`)
    await expect(load(file)).rejects.toThrow(
      'nohandler.step.mjs (step "NoHandler") exports no handler function. Export `handler` from the step file.',
    )
  })

  it('names a missing config', async () => {
    await expect(load(write('noconfig.step.mjs', 'export const handler = () => {}'))).rejects.toThrow(/exports no config/)
  })

  it('names the field, its line and the fix for an invalid config', async () => {
    const file = write(
      'bad.step.mjs',
      `export const config = {
  type: 'cron',
  name: 'Bad',
  cron: 'every minute',
}
export const handler = async () => {}`,
    )
    await expect(load(file)).rejects.toThrow(
      'Invalid step config in bad.step.mjs:4: config.cron is not a valid cron expression; use 5 fields ("*/5 * * * *") or 6 with seconds.',
    )
  })

  it('reports an unknown step type with the allowed ones', async () => {
    const file = write('kind.step.mjs', `export const config = { type: 'queue', name: 'Kind' }\nexport const handler = () => {}`)
    await expect(load(file)).rejects.toThrow(/config\.type must be one of "api", "event", "cron", "noop"/)
  })

  it('reports where a throwing import fails', async () => {
    const file = write('throws.step.mjs', `export const config = {}\n\nthrow new Error('no database url')\n`)
    const error = (await load(file).then(
      () => null,
      (caught: unknown) => caught,
    )) as Error & { line?: number }
    expect(error.message).toBe('Cannot load throws.step.mjs:3: no database url. Fix the file; the other steps keep running.')
    expect(error.line).toBe(3)
  })
})
