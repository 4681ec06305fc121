function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/**
 * The config a config file exports: its default export, else its `config` export. In a CommonJS
 * project a TypeScript `export default` arrives as the compiled exports object (`__esModule`), unwrapped here.
 */
export function toExportedConfig(module: Record<string, unknown>): unknown {
  const exported = module['default'] ?? module['config']
  if (isObject(exported) && exported['__esModule'] === true) return exported['default'] ?? exported['config']
  return exported
}
