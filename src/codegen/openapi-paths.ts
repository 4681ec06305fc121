import { parse, type Token } from 'path-to-regexp'

/** One OpenAPI path of an express route, with its path parameters in order. */
export interface OpenApiPath {
  path: string
  params: string[]
}

/** Every way of writing a token list once each optional `{…}` group is either kept or dropped. */
function expand(tokens: Token[]): Token[][] {
  let variants: Token[][] = [[]]
  for (const token of tokens) {
    if (token.type === 'group') {
      const inner = expand(token.tokens)
      variants = variants.flatMap((variant) => [variant, ...inner.map((more) => [...variant, ...more])])
    } else {
      variants = variants.map((variant) => [...variant, token])
    }
  }
  return variants
}

/**
 * Converts an express 5 path to OpenAPI paths: `:id` and `*rest` become `{id}` and `{rest}`; a route
 * with optional groups (`/files{/:name}`) becomes one OpenAPI path per variant, since OpenAPI has none.
 * @example
 * toOpenApiPaths('/users/:id') // [{ path: '/users/{id}', params: ['id'] }]
 */
export function toOpenApiPaths(expressPath: string): OpenApiPath[] {
  return expand(parse(expressPath).tokens).map((tokens) => {
    const params: string[] = []
    let path = ''
    for (const token of tokens) {
      if (token.type === 'text') path += token.value
      else if (token.type === 'param' || token.type === 'wildcard') {
        params.push(token.name)
        path += `{${token.name}}`
      }
    }
    return { path: path || '/', params }
  })
}
