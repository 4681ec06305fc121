import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    // motia-like ships TypeScript source: vitest compiles it rather than handing it to Node as is.
    server: { deps: { inline: ['motia-like'] } },
  },
})
