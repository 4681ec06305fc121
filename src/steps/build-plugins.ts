import { readFileSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { dirname, extname, join, relative, sep } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import type { Loader, Plugin } from 'esbuild'
import { MOTIA_PACKAGES, MOTIA_SHIM_URL } from './motia-packages.ts'
import { vendoredZodVersion } from './shared-zod.ts'

const LOADERS: Record<string, Loader> = {
  '.ts': 'ts',
  '.mts': 'ts',
  '.cts': 'ts',
  '.tsx': 'tsx',
  '.js': 'js',
  '.mjs': 'js',
  '.cjs': 'js',
  '.jsx': 'jsx',
}

/** What the plugins saw while compiling, so `start` can load the files the build cannot hold from source. */
export interface CompileReport {
  /** The project files each project file imports (absolute paths), as resolved. */
  imports: Map<string, Set<string>>
  /** Project files importing a package that is not installed: the build would fail to link as a whole. */
  missingPackages: Set<string>
  /** Project files with an `import()` or `require()` of a computed path, which resolves differently from the build's folder. */
  variableImports: Set<string>
}

function addImport(report: CompileReport | undefined, importer: string, imported: string): void {
  if (!report || !importer) return
  const edges = report.imports.get(importer) ?? new Set<string>()
  edges.add(imported)
  report.imports.set(importer, edges)
}

// `import(` or `require(` of anything but a string literal (a template literal with a placeholder included).
const variableImport = /\b(?:import|require)\s*\(\s*(?:[^'"`\s)]|`[^`]*\$\{)/

/** True for a file of the project's own, not of a package it installs. */
function isProjectFile(projectDir: string, file: string): boolean {
  const path = relative(projectDir, file)
  return !path.startsWith('..') && !path.split(sep).includes('node_modules')
}

/** The version in the package.json of the package holding `file` (the first one above it that names `name`). */
function packageVersion(file: string, name: string): string | undefined {
  for (let dir = dirname(file); dir !== dirname(dir); dir = dirname(dir)) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: unknown; version?: unknown }
      if (pkg.name === name) return typeof pkg.version === 'string' ? pkg.version : undefined
    } catch {
      // No package.json here (or not JSON): look further up.
    }
  }
  return undefined
}

/** The package's own copy of zod in one module, which the CLI loads (scripts/bundle-cli.mjs). */
const SHARED_ZOD = 'motia-like/zod'

/**
 * Keeps every package the project installs outside the build, imported at run time from the project's
 * node_modules as the sources import it (one copy of motia-like…), except a path alias of the
 * project's tsconfig that leads to its own files, which is compiled with them. `motia` and Motia's
 * packages, when not installed, compile to the stand-in as they resolve to it at run time from source.
 * `zod`, where it resolves to the version `motia-like/zod` holds, is imported as `motia-like/zod`: the
 * same code, as the one module the runtime already loads instead of about 95.
 */
export function packagesPlugin(projectDir: string, report?: CompileReport): Plugin {
  const resolving = { fromPlugin: true }
  return {
    name: 'motia-like-packages',
    setup(build) {
      let sharedZod: Promise<string | undefined> | undefined
      // The zod version of the project's motia-like/zod; undefined when it has none.
      const sharedZodVersion = (): Promise<string | undefined> =>
        (sharedZod ??= build
          .resolve(SHARED_ZOD, { kind: 'import-statement', resolveDir: projectDir, pluginData: resolving })
          .then((shared) => (shared.errors.length > 0 ? undefined : vendoredZodVersion(pathToFileURL(shared.path)))))
      // By the file `zod` resolved to: every step importing it resolves to the same one.
      const sameAsShared = new Map<string, boolean>()
      const isSharedZod = async (file: string): Promise<boolean> => {
        let same = sameAsShared.get(file)
        if (same === undefined) {
          const shared = await sharedZodVersion()
          same = shared !== undefined && packageVersion(file, 'zod') === shared
          sameAsShared.set(file, same)
        }
        return same
      }
      build.onResolve({ filter: /^[^./]/ }, async (args) => {
        if (args.pluginData === resolving || args.path.startsWith('node:')) return undefined
        const resolved = await build.resolve(args.path, {
          kind: args.kind,
          importer: args.importer,
          resolveDir: args.resolveDir,
          pluginData: resolving,
        })
        if (resolved.errors.length > 0 && MOTIA_PACKAGES.test(args.path)) return { path: fileURLToPath(MOTIA_SHIM_URL) }
        if (resolved.errors.length === 0 && !resolved.external && isProjectFile(projectDir, resolved.path)) {
          addImport(report, args.importer, resolved.path)
          return { path: resolved.path }
        }
        if (resolved.errors.length > 0) report?.missingPackages.add(args.importer)
        else if (args.path === 'zod' && (await isSharedZod(resolved.path))) return { path: SHARED_ZOD, external: true }
        return { path: args.path, external: true }
      })
      if (!report) return
      build.onResolve({ filter: /^\.\.?(\/|$)/ }, async (args) => {
        if (args.pluginData === resolving) return undefined
        const resolved = await build.resolve(args.path, { kind: args.kind, importer: args.importer, resolveDir: args.resolveDir, pluginData: resolving })
        if (resolved.errors.length === 0 && !resolved.external) addImport(report, args.importer, resolved.path)
        return undefined
      })
    },
  }
}

const declares = (name: string) => new RegExp(`\\b(?:const|let|var|function)\\s+${name}\\b`)

/**
 * Makes a compiled file see its source's location: `import.meta.url` (`dirname`, `filename`) and
 * `__dirname` / `__filename` name the source file, not the build output, so files it reads beside
 * itself are still found.
 */
export function sourceLocationPlugin(projectDir: string, report?: CompileReport): Plugin {
  return {
    name: 'motia-like-source-location',
    setup(build) {
      build.onLoad({ filter: /\.(?:[cm]?[jt]s|[jt]sx)$/ }, async (args) => {
        const loader = LOADERS[extname(args.path)]
        if (!loader || !isProjectFile(projectDir, args.path)) return undefined
        let contents = await readFile(args.path, 'utf8')
        if (variableImport.test(contents)) report?.variableImports.add(args.path)
        const where = { url: pathToFileURL(args.path).href, dirname: dirname(args.path), filename: args.path }
        contents = contents
          .replaceAll('import.meta.url', JSON.stringify(where.url))
          .replaceAll('import.meta.dirname', JSON.stringify(where.dirname))
          .replaceAll('import.meta.filename', JSON.stringify(where.filename))
        const preamble: string[] = []
        if (/\b__dirname\b/.test(contents) && !declares('__dirname').test(contents)) preamble.push(`var __dirname = ${JSON.stringify(where.dirname)};`)
        if (/\b__filename\b/.test(contents) && !declares('__filename').test(contents)) preamble.push(`var __filename = ${JSON.stringify(where.filename)};`)
        // On the first line, so every line of the source keeps its number in the source map.
        if (preamble.length > 0) contents = `${preamble.join(' ')} ${contents}`
        return { contents, loader }
      })
    },
  }
}
