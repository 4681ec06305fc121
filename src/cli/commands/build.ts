import { BUILD_CONFIG_FILES } from '../../app/start-app.ts'
import { DEFAULT_BUILD_DIR } from '../../steps/build-manifest.ts'
import { buildProject } from '../../steps/build-project.ts'
import { describeBuildDir, toBuildDir } from '../../steps/open-build.ts'
import { toProjectDir } from '../options.ts'

/** `motia-like build`: compiles the step, stream and config files so `start` runs them without a TypeScript loader. */
export async function buildCommand(flags: { dir?: string; out?: string }): Promise<void> {
  const started = performance.now()
  const projectDir = toProjectDir(flags.dir)
  const buildDir = toBuildDir(projectDir, flags.out ?? DEFAULT_BUILD_DIR)
  const result = await buildProject({ projectDir, buildDir, configFiles: BUILD_CONFIG_FILES })
  const elapsed = Math.round(performance.now() - started)
  process.stdout.write(
    `Built ${result.entries} file(s) (${result.inputs} source files read) into ${describeBuildDir(projectDir, buildDir)} in ${elapsed} ms. \`motia-like start\` uses it while it matches the sources.\n`,
  )
}
