import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { Validator } from '@seriousme/openapi-schema-validator'
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { readSteps } from '../src/codegen/read-steps.ts'
import { toOpenApi } from '../src/codegen/to-openapi.ts'
import { makeStep } from '../src/graph/make-step.fixture.ts'
import { runCli } from './helpers/spawn-cli.ts'
import { fixture } from './helpers/start-fixture.ts'

/** Validates against the official OpenAPI 3.1 schema, then resolves every $ref (a dangling one throws). */
async function validate(document: unknown): Promise<void> {
  const validator = new Validator()
  // The validator resolves references in place: hand it a copy.
  const result = await validator.validate(structuredClone(document) as Record<string, unknown>)
  expect(result.errors ?? []).toEqual([])
  expect(result.valid).toBe(true)
  expect(validator.version).toBe('3.1')
  validator.resolveRefs()
}

describe('motia-like generate openapi', () => {
  it('documents the API steps of a project: paths, params, body and responses per status', async () => {
    const { steps } = await readSteps(fixture('typed'))
    const document = toOpenApi(steps, { title: 'typed', version: '1.0.0' })
    await validate(document)
    expect(Object.keys(document.paths)).toEqual(['/typed/users/{team}', '/typed/users/{team}/{id}'])
    const signup = document.paths['/typed/users/{team}']?.['post'] as Record<string, any> // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(signup['operationId']).toBe('TypedSignup')
    expect(signup['tags']).toEqual(['typed'])
    expect(signup['parameters']).toEqual([
      { name: 'team', in: 'path', required: true, schema: { type: 'string' } },
      { name: 'invite', in: 'query', required: false, schema: { type: 'string' }, description: 'invitation code' },
    ])
    expect(signup['requestBody'].content['application/json'].schema).toMatchObject({
      type: 'object',
      properties: { email: { type: 'string', format: 'email' }, age: { type: 'integer' } },
      required: ['email'],
    })
    expect(Object.keys(signup['responses'])).toEqual(['201', '400', '409'])
    expect(signup['responses']['409'].content['application/json'].schema).toMatchObject({ properties: { error: { type: 'string' } } })
    expect(signup['responses']['400'].description).toBe('The body does not match the bodySchema')
    const getUser = document.paths['/typed/users/{team}/{id}']?.['get'] as Record<string, unknown>
    expect((getUser['parameters'] as { name: string }[]).map((param) => param.name)).toEqual(['team', 'id'])
    expect(getUser['responses']).toEqual({ default: { description: 'The response of the handler' } })
  })

  it('turns optional groups and wildcards into OpenAPI paths, and moves $defs and recursion into components', async () => {
    const tree: z.ZodType = z.object({ name: z.string(), get children() { return z.array(tree) } })
    const tag = z.string().meta({ id: 'Tag' })
    const body = z.toJSONSchema(z.object({ tree, tags: z.array(tag), also: tag }), { io: 'input' })
    const steps = [
      makeStep({ name: 'Files', type: 'api', method: 'GET', path: '/files{/:name}' }),
      makeStep({ name: 'Assets', type: 'api', method: 'GET', path: '/assets/*rest' }),
      makeStep({
        name: 'Trees',
        type: 'api',
        method: 'PUT',
        path: '/trees/:id',
        jsonSchemas: { body, responses: { 200: z.toJSONSchema(tree, { io: 'input' }) } },
      }),
      makeStep({ name: 'Worker', type: 'event', subscribes: ['x'] }),
    ]
    const document = toOpenApi(steps, { title: 't', version: '1' })
    await validate(document)
    expect(Object.keys(document.paths)).toEqual(['/assets/{rest}', '/files', '/files/{name}', '/trees/{id}'])
    expect(JSON.stringify(document)).not.toContain('#/$defs/')
    // The validator is not a rubber stamp: a path parameter that is not required breaks the 3.1 schema.
    const broken = structuredClone(document) as unknown as { paths: Record<string, { put?: { parameters: { required: boolean }[] } }> }
    const parameter = broken.paths['/trees/{id}']?.put?.parameters[0]
    if (parameter) parameter.required = false
    expect((await new Validator().validate(broken as unknown as Record<string, unknown>)).valid).toBe(false)
    expect(Object.keys(document.components.schemas).sort()).toEqual(['Trees_200', 'Trees_body_Tag', 'Trees_body___schema0'].sort())
  })

  it('writes openapi.json from the CLI, valid for the demo project', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'motia-like-openapi-'))
    try {
      const out = join(dir, 'openapi.json')
      const { code, stdout } = await runCli(['generate', 'openapi', '--out', out], resolve(import.meta.dirname, '..'))
      expect(code).toBe(0)
      expect(stdout).toMatch(/^wrote .*openapi\.json \(2 operations\)\n$/)
      const document = JSON.parse(readFileSync(out, 'utf8')) as { info: unknown; paths: Record<string, unknown> }
      await validate(document)
      expect(document.info).toEqual({
        title: 'motia-like',
        version: '0.1.0',
        description: expect.stringContaining('Step-file workflow framework') as unknown,
      })
      expect(Object.keys(document.paths)).toEqual(['/jobs/{jobId}', '/upload'])
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
