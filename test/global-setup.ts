import { execFileSync } from 'node:child_process'
import { resolve } from 'node:path'

/**
 * Builds dist/ (incrementally) and the CLI bundle before any test: tests that spawn the CLI or pack the package run the
 * compiled code, which must be the code under test.
 */
export default function setup(): void {
  const root = resolve(import.meta.dirname, '..')
  execFileSync(process.execPath, [resolve(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' })
  execFileSync(process.execPath, [resolve(root, 'scripts/copy-assets.mjs')], { cwd: root, stdio: 'inherit' })
  execFileSync(process.execPath, [resolve(root, 'scripts/bundle-cli.mjs')], { cwd: root, stdio: 'inherit' })
}
