// Bundles the compiled CLI (dist/cli/main.js) into dist/cli-bundle/, the code bin/motia-like.js runs:
// Node 20 spends more time resolving, reading and compiling each module than running it, and a start
// loaded about 140 modules of ours and about 180 of express and commander. Commands stay in chunks of
// their own, loaded when run. The unbundled dist/ stays: it is the package's public API, and it holds
// the files a module finds beside itself.
// Bundles zod too, into dist/vendor/zod.js (`motia-like/zod`): the CLI's zod, and the one a build gives
// step files that import the same version of zod (src/steps/build-plugins.ts).
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { dirname, join, relative, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build, transform } from 'esbuild'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const dist = join(root, 'dist')
const outdir = join(dist, 'cli-bundle')
const vendorDir = join(dist, 'vendor')

/** A path as an import specifier relative to `from`, with forward slashes. */
function specifier(from, to) {
  const path = relative(from, to).split(sep).join('/')
  return path.startsWith('.') ? path : `./${path}`
}

/** The dist/ files a module reaches through its static relative imports and re-exports. */
async function staticGraph(entry) {
  const seen = new Set()
  const visit = async (file) => {
    if (seen.has(file)) return
    seen.add(file)
    const source = await readFile(file, 'utf8')
    for (const [, path] of source.matchAll(/^(?:import|export)\s[^;]*?from\s+['"](\.{1,2}\/[^'"]+)['"]/gm)) {
      await visit(join(dirname(file), path))
    }
  }
  await visit(entry)
  return seen
}

/**
 * Leaves the modules of the package's main entry (`motia-like`: errors, defineStep, defineConfig) out
 * of the bundle: step files import them from dist/, and the runtime must use those same instances.
 */
function publicModules(files) {
  return {
    name: 'public-modules',
    setup(builder) {
      builder.onResolve({ filter: /^\.\.?\// }, ({ path, resolveDir }) => {
        const file = join(resolveDir, path)
        return files.has(file) ? { path: specifier(outdir, file), external: true } : undefined
      })
    },
  }
}

/** The package a bare specifier names: `express`, `@scope/name`. */
function packageName(specifier) {
  const parts = specifier.split('/')
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? specifier)
}

/**
 * Bundles the packages every start loads that hold no state shared with the project and find no file
 * beside themselves (express, commander, and path-to-regexp, which express's router and our route table
 * then share), with everything they require, resolved from where they are as Node would, but for `leftOut`:
 * data a bundle would compile as code on every start, which Node loads faster on its own (iconv-lite's
 * charset tables, required only for a body in another charset; mime-db's JSON), declared as our own
 * dependencies at the versions express's packages use (the build fails when they resolve elsewhere).
 * Every other package stays external and loads where and when the code imports it:
 * the optional ones (OpenTelemetry, Redis, prom-client) only when used, better-sqlite3 and pino with
 * their native and worker files, zod as the same instance the step files use.
 */
function bundledPackages(names, leftOut) {
  const fromRoot = createRequire(join(root, 'package.json'))
  return {
    name: 'bundled-packages',
    setup(builder) {
      builder.onResolve({ filter: /^[^./]/ }, ({ path, importer }) => {
        if (leftOut.includes(packageName(path))) {
          // Required from dist/cli-bundle/ at run time: it must be the copy the bundled package would load.
          const wanted = createRequire(importer).resolve(path)
          if (fromRoot.resolve(path) !== wanted) throw new Error(`${path} resolves to ${wanted} from ${importer}, not to motia-like's own dependency: align the version in package.json.`)
          return { path, external: true }
        }
        if (importer.includes(`${sep}node_modules${sep}`) || names.includes(packageName(path))) return undefined
        if (path === 'zod') return { path: specifier(outdir, join(vendorDir, 'zod.js')), external: true }
        return { path, external: true }
      })
    },
  }
}

/**
 * zod's locales other than English, loaded on first use: `z.locales.fr()` requires the package's own
 * CommonJS locales then (pure functions, so they serve this copy's `z.config` as well). They are half
 * of zod's code, and compiling them was about 17 ms of every start that never uses them.
 */
function lazyZodLocales() {
  return {
    name: 'lazy-zod-locales',
    setup(builder) {
      builder.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, ({ importer }) => ({
        // Relative to the repo: esbuild names the module by this path in a comment of the bundle.
        path: relative(root, join(dirname(importer), '..', 'locales', 'index.js')).split(sep).join('/'),
        namespace: 'lazy-zod-locales',
      }))
      builder.onLoad({ filter: /.*/, namespace: 'lazy-zod-locales' }, async ({ path: fromRoot }) => {
        const path = join(root, fromRoot)
        const names = [...(await readFile(path, 'utf8')).matchAll(/export \{ default as (\w+) \}/g)].map(([, name]) => name)
        if (!names.includes('en')) throw new Error(`No locales found in ${path}: zod's layout changed; update lazyZodLocales in scripts/bundle-cli.mjs.`)
        const lazy = names.filter((name) => name !== 'en').map((name) => `export function ${name}() { return load().${name}() }`)
        const contents = [
          "import { createRequire } from 'node:module'",
          "export { default as en } from './en.js'",
          'let all',
          "const load = () => (all ??= createRequire(import.meta.url)('zod/v4/locales'))",
          ...lazy,
        ].join('\n')
        return { contents, resolveDir: dirname(path), loader: 'js' }
      })
    },
  }
}

/**
 * zod in one module, dist/vendor/zod.js, with its declarations and version beside it. Its package loads
 * as about 95 ES modules (one per locale), over 60 ms of a start; as one module, about 25 ms, and
 * less again with the locales other than English loaded on first use (lazyZodLocales).
 * zod 4 keeps its registry and settings on globalThis and answers `instanceof` by traits, so schemas
 * made by another copy of it work with this one.
 */
async function bundleZod() {
  const { version } = JSON.parse(await readFile(join(root, 'node_modules', 'zod', 'package.json'), 'utf8'))
  const reexport = "export * from 'zod'\nexport { z, default } from 'zod'\n"
  await rm(vendorDir, { recursive: true, force: true })
  await mkdir(vendorDir, { recursive: true })
  await build({
    stdin: { contents: reexport, resolveDir: root, sourcefile: 'zod-entry.js', loader: 'js' },
    outfile: join(vendorDir, 'zod.js'),
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    banner: { js: `// zod ${version} (MIT License), bundled into one module by motia-like's scripts/bundle-cli.mjs.` },
    logLevel: 'warning',
    plugins: [lazyZodLocales()],
  })
  await writeFile(join(vendorDir, 'zod.d.ts'), reexport)
  await writeFile(join(vendorDir, 'zod.json'), `${JSON.stringify({ version })}\n`)
}

/**
 * Keeps each bundled module's own location: `import.meta.url`, `dirname` and `filename` name its file
 * in dist/, so what it finds beside itself (worker files, runners, the Workbench UI) still resolves.
 * esbuild's parser replaces them as expressions only, never inside strings (the build writes a banner
 * that holds `import.meta.url`), and renames the constants apart when the bundle joins the modules.
 */
function ownLocation() {
  return {
    name: 'own-location',
    setup(builder) {
      builder.onLoad({ filter: /\.js$/ }, async ({ path }) => {
        if (!path.startsWith(`${dist}${sep}`)) return undefined
        const source = await readFile(path, 'utf8')
        if (!source.includes('import.meta.')) return { contents: source, loader: 'js' }
        const { code } = await transform(source, {
          format: 'esm',
          define: { 'import.meta.url': 'ownUrl', 'import.meta.dirname': 'ownDirname', 'import.meta.filename': 'ownFilename' },
        })
        const contents = [
          `const ownUrl = new URL(${JSON.stringify(specifier(outdir, path))}, import.meta.url).href;`,
          "const ownFilename = process.getBuiltinModule('node:url').fileURLToPath(ownUrl);",
          "const ownDirname = process.getBuiltinModule('node:path').dirname(ownFilename);",
          code,
        ].join('\n')
        return { contents, loader: 'js' }
      })
    },
  }
}

await bundleZod()
// Chunk names change with their content: a new bundle must not leave the old chunks beside it.
await rm(outdir, { recursive: true, force: true })
await build({
  entryPoints: { main: join(dist, 'cli', 'main.js') },
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // The bundled packages are CommonJS: their require() of Node's modules needs a require in each chunk.
  banner: { js: "import { createRequire as __cliCreateRequire } from 'node:module'; const require = __cliCreateRequire(import.meta.url);" },
  sourcemap: 'linked',
  sourcesContent: false,
  logLevel: 'warning',
  plugins: [publicModules(await staticGraph(join(dist, 'index.js'))), bundledPackages(['express', 'commander', 'path-to-regexp'], ['iconv-lite', 'mime-db']), ownLocation()],
})
