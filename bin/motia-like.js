#!/usr/bin/env node
// The CLI, compiled to dist/ and bundled into dist/cli-bundle/ by `npm run build` (run on install of a
// checkout and before packing).
await import('../dist/cli-bundle/main.js')
