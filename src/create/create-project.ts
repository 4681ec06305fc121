import { cpSync, existsSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs'
import { basename, join, resolve, sep } from 'node:path'
import { MotiaError } from '../errors.ts'

/** The folder of this package (holding `templates/` and `package.json`). */
const packageRoot = resolve(import.meta.dirname, '..', '..')
const templatesDir = join(packageRoot, 'templates')

/** Files npm would drop or rename when publishing, stored under another name in templates. */
const renamed: Record<string, string> = { _gitignore: '.gitignore' }

export interface CreateOptions {
  /** Folder to create the project in; must be missing or empty. */
  dir: string
  /** A folder name under `templates/`; default `basic`. */
  template?: string
}

export interface CreatedProject {
  dir: string
  template: string
  /** What the project's package.json gives as the motia-like dependency. */
  dependency: string
}

/** The templates that ship with this package. */
export function listTemplates(): string[] {
  return readdirSync(templatesDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort()
}

/**
 * How the new project depends on motia-like: the registry version when this copy was installed from
 * a registry, else (a checkout) a `file:` link to it, so the project runs against the same code.
 */
function motiaLikeDependency(): string {
  const { version } = JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')) as { version: string }
  return packageRoot.split(sep).includes('node_modules') ? `^${version}` : `file:${packageRoot}`
}

/** A package name from a folder name: lowercase, URL-safe. */
function toPackageName(dir: string): string {
  const name = basename(resolve(dir))
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^[._-]+|-+$/g, '')
  return name || 'motia-like-app'
}

/** Copies a template into a new folder and writes its package.json; refuses a non-empty folder. */
export function createProject(options: CreateOptions): CreatedProject {
  const template = options.template ?? 'basic'
  const templates = listTemplates()
  if (!templates.includes(template)) {
    throw new MotiaError('TEMPLATE_UNKNOWN', `Unknown template "${template}". Choose one of: ${templates.join(', ')}.`)
  }
  const dir = resolve(options.dir)
  if (existsSync(dir) && (!statSync(dir).isDirectory() || readdirSync(dir).length > 0)) {
    throw new MotiaError('DIR_NOT_EMPTY', `${options.dir} is not empty. Choose a new folder name, or empty this one first.`)
  }
  const source = join(templatesDir, template)
  cpSync(source, dir, {
    recursive: true,
    filter: (path) => !/[/\\](node_modules|\.motia-like)([/\\]|$)/.test(path.slice(source.length)),
  })
  for (const [from, to] of Object.entries(renamed)) {
    if (existsSync(join(dir, from))) renameSync(join(dir, from), join(dir, to))
  }
  const packageFile = join(dir, 'package.json')
  const pkg = JSON.parse(readFileSync(packageFile, 'utf8')) as { dependencies?: Record<string, string> } & Record<string, unknown>
  const dependency = motiaLikeDependency()
  const written = { ...pkg, name: toPackageName(dir), dependencies: { ...pkg.dependencies, 'motia-like': dependency } }
  writeFileSync(packageFile, `${JSON.stringify(written, null, 2)}\n`)
  return { dir, template, dependency }
}
