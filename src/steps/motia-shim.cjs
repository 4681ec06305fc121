// Stands in for `motia`, `@motiadev/core` and Motia's Workbench plugins in a project that does not
// install them, so a motia.config.ts written for Motia loads: `config` and `defineConfig` return the
// config as given, and a plugin is this module, which motia-like ignores.
'use strict'

const identity = (config) => config

exports.config = identity
exports.defineConfig = identity
