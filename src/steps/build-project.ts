import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { join, relative, resolve, sep } from 'node:path'
import { type BuildFailure, build, type Message, type Metafile } from 'esbuild'
import { MotiaError } from '../errors.ts'
import { BUNDLE_FILE, type BuildManifest, findBuildEntries, MANIFEST_FILE, toManifest } from './build-manifest.ts'
import { type CompileReport, packagesPlugin, sourceLocationPlugin } from './build-plugins.ts'

export interface BuildOptions {
  projectDir: string
  /** Where to write; inside the project, so the outputs import its packages from its node_modules. */
  buildDir: string
  /** Config files of the project root compiled with the steps (`motia-like.config.ts`, `motia.config.ts`). */
  configFiles: readonly string[]
}

export interface BuildResult {
  manifest: BuildManifest
  /** Step, stream and config files compiled. */
  entries: number
  /** Project files read, entries included. */
  inputs: number
}

// Compiled ES modules import packages through `require` where the source (CommonJS) did: give them one.
const requireBanner = "import { createRequire as __motiaLikeCreateRequire } from 'node:module'; const require = __motiaLikeCreateRequire(import.meta.url);"

function isBuildFailure(error: unknown): error is BuildFailure {
  return error instanceof Error && Array.isArray((error as Partial<BuildFailure>).errors)
}

/**
 * The module the build starts from: a loader per entry, keyed by its path in the project. Bundled
 * without splitting, each file becomes a lazily run part of one output module: loading the build
 * reads and links one file, and each step still runs its top-level code (and fails) on its own.
 */
function toEntryModule(projectDir: string, entries: readonly string[]): string {
  const loaders = entries.map((file) => {
    const path = relative(projectDir, file)
    return `  ${JSON.stringify(path)}: () => import(${JSON.stringify(`./${path.split(sep).join('/')}`)}),`
  })
  return `export const modules = {\n${loaders.join('\n')}\n}\n`
}

function describe(message: Message): string {
  const where = message.location ? `${message.location.file}:${message.location.line}` : 'the project'
  return `${where}: ${message.text}`
}

/** What one esbuild run produced: the files it read, or the errors and what the plugins saw. */
export type Compiled = { ok: true; metafile: Metafile; report: CompileReport } | { ok: false; errors: Message[]; report: CompileReport }

/** Bundles `entries` into `buildDir` (BUNDLE_FILE and its source map); a failure is returned, not thrown. */
export async function compileEntries(projectDir: string, buildDir: string, entries: readonly string[]): Promise<Compiled> {
  const report: CompileReport = { imports: new Map(), missingPackages: new Set(), variableImports: new Set() }
  try {
    const result = await build({
      absWorkingDir: projectDir,
      stdin: { contents: toEntryModule(projectDir, entries), resolveDir: projectDir, sourcefile: 'motia-like-build-entry.js', loader: 'js' },
      outfile: join(buildDir, BUNDLE_FILE),
      bundle: true,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      sourcemap: 'linked',
      sourcesContent: false,
      keepNames: true,
      metafile: true,
      logLevel: 'silent',
      banner: { js: requireBanner },
      plugins: [packagesPlugin(projectDir, report), sourceLocationPlugin(projectDir, report)],
    })
    return { ok: true, metafile: result.metafile, report }
  } catch (error) {
    if (!isBuildFailure(error)) throw error
    return { ok: false, errors: error.errors, report }
  }
}

/** Writes the manifest last, renamed into place: a manifest is only ever seen beside a complete build. */
export function writeManifest(buildDir: string, manifest: BuildManifest): void {
  mkdirSync(buildDir, { recursive: true })
  const temporary = join(buildDir, `${MANIFEST_FILE}.${process.pid}`)
  writeFileSync(temporary, `${JSON.stringify(manifest, null, 2)}\n`)
  renameSync(temporary, join(buildDir, MANIFEST_FILE))
}

/** The project files (absolute) an esbuild run read. */
export function inputsOf(projectDir: string, metafile: Metafile): string[] {
  return Object.keys(metafile.inputs)
    .map((input) => resolve(projectDir, input))
    .filter((file) => !relative(projectDir, file).startsWith('..'))
}

/**
 * Compiles every JavaScript and TypeScript step, stream and config file of a project, and the local
 * modules they import, into one ES module under `buildDir` (BUNDLE_FILE), with a source map and a
 * manifest of what it holds and read. A helper imported by two steps is one module, evaluated once.
 */
export async function buildProject(options: BuildOptions): Promise<BuildResult> {
  const projectDir = resolve(options.projectDir)
  const buildDir = resolve(options.buildDir)
  if (relative(projectDir, buildDir).startsWith('..')) {
    throw new MotiaError('BUILD_FAILED', `The build folder ${buildDir} is outside the project ${projectDir}. Choose one inside it, so the build finds the project's packages.`)
  }
  const entries = await findBuildEntries(projectDir, options.configFiles)
  rmSync(buildDir, { recursive: true, force: true })
  const compiled = await compileEntries(projectDir, buildDir, entries)
  if (!compiled.ok) {
    const lines = compiled.errors.slice(0, 10).map(describe)
    throw new MotiaError('BUILD_FAILED', `Cannot build ${relative(process.cwd(), projectDir) || '.'}: ${lines.join('; ')}. Fix the file${lines.length > 1 ? 's' : ''} and build again.`, {
      cause: compiled.errors,
    })
  }
  const manifest = toManifest(projectDir, entries, inputsOf(projectDir, compiled.metafile))
  writeManifest(buildDir, manifest)
  return { manifest, entries: entries.length, inputs: Object.keys(manifest.inputs).length }
}
