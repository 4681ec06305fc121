// Copies what the compiled code reads beside itself (the Workbench UI, the Python runner) from src/ to dist/.
import { cpSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
cpSync(join(root, 'src'), join(root, 'dist'), {
  recursive: true,
  filter: (source) => !source.endsWith('.ts') && !source.includes('__pycache__'),
})
