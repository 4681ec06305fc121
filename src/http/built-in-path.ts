/** True for the built-in endpoints: `/__motia/*` and `/emit`. No app hook or CORS setting ever touches them. */
export function isBuiltInPath(path: string): boolean {
  return path === '/emit' || path === '/__motia' || path.startsWith('/__motia/')
}
