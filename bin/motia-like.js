#!/usr/bin/env node
// Registers the TypeScript loader once, then hands over to the CLI written in TypeScript.
import { register } from 'tsx/esm/api'

register()
await import('../src/cli/main.ts')
