import { Router } from 'express'

const offPaths = ['/__motia/workbench', '/__motia/traces', '/__motia/logs', '/__motia/events']

/** What `start` answers on the Workbench paths while the Workbench is off: how to turn it on. */
export function createWorkbenchOff(): Router {
  const router = Router()
  router.use((req, res, next) => {
    if (!offPaths.some((path) => req.path === path || req.path.startsWith(`${path}/`))) {
      next()
      return
    }
    res.status(404).json({
      error: 'The Workbench, traces and live logs are off in start mode. Start with --workbench or MOTIA_WORKBENCH=1 to turn them on.',
    })
  })
  return router
}
