import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll } from 'vitest'
import { runFlowControlContract } from '../../queue/flow-control.contract.ts'
import { createSqliteQueue } from './sqlite-queue.ts'

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'motia-like-flow-'))
afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true })
})

runFlowControlContract('sqlite flow control', {
  open: (storage) => createSqliteQueue({ file: path.join(dir, `${storage}.db`) }),
  durable: true,
})
