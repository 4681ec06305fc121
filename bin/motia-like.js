#!/usr/bin/env node
// The CLI, compiled to dist/ by `npm run build` (run on install of a checkout and before packing).
await import('../dist/cli/main.js')
