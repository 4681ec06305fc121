import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { createTester } from '../src/testing/create-tester.ts'
import { eventually, spawnServer } from './helpers/spawn-cli.ts'
import { copyFixture, fixture } from './helpers/start-fixture.ts'

const commonJs = fixture('dynamic-import')

describe('await import() of a relative module inside a handler and its helpers', () => {
  it('resolves from the file in a CommonJS project, in start', async () => {
    const server = await spawnServer('start', commonJs, ['--memory'])
    try {
      const response = await fetch(`${server.url}/report`)
      expect(await response.json()).toEqual({ count: 3, total: 21 })
      expect(response.status).toBe(200)
    } finally {
      await server.stop()
    }
  })

  it('resolves from the file in a CommonJS project, in the in-process tester', async () => {
    const tester = await createTester({ dir: commonJs })
    try {
      expect(await tester.request('GET', '/report')).toMatchObject({ status: 200, body: { count: 3, total: 21 } })
    } finally {
      await tester.close()
    }
  })

  it('loads the edited helper after a hot reload in dev', async () => {
    const project = copyFixture('dynamic-import')
    const server = await spawnServer('dev', project.dir, ['--memory'])
    try {
      expect(await (await fetch(`${server.url}/report`)).json()).toEqual({ count: 3, total: 21 })
      writeFileSync(join(project.dir, 'src', 'lib', 'rates.ts'), 'export const rate = 10\n')
      const body = await eventually(async () => {
        const next = (await (await fetch(`${server.url}/report`)).json()) as { total: number }
        return next.total === 30 ? next : undefined
      })
      expect(body).toEqual({ count: 3, total: 30 })
    } finally {
      await server.stop()
      project.remove()
    }
  })

  it('resolves from the file in an ES module project', async () => {
    const project = copyFixture('dynamic-import')
    writeFileSync(join(project.dir, 'package.json'), '{ "name": "dynamic-import-esm", "private": true, "type": "module" }\n')
    const tester = await createTester({ dir: project.dir })
    try {
      expect(await tester.request('GET', '/report')).toMatchObject({ status: 200, body: { count: 3, total: 21 } })
    } finally {
      await tester.close()
      project.remove()
    }
  })
})
