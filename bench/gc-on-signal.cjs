// Preloaded (NODE_OPTIONS=--expose-gc --require) into the servers whose idle RSS the bench reads: on
// SIGUSR2 it runs a full garbage collection and says so on stderr, so the reading leaves out the
// garbage of startup that V8 would collect on its own once the process has been idle for a while.
'use strict'

process.on('SIGUSR2', () => {
  globalThis.gc()
  globalThis.gc()
  process.stderr.write('bench: gc done\n')
})
