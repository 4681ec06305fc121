import { type Request, type Response, Router } from 'express'
import type { Runtime } from '../runtime/create-runtime.ts'

/** Pausing and resuming the queue of an event step: `/__motia/queues…`, behind the same guard as every built-in endpoint. */
export function createQueueRoutes(runtime: Runtime): Router {
  const router = Router()

  router.get('/__motia/queues', async (_req, res) => {
    res.json({ paused: await runtime.queue.pausedSteps() })
  })

  const toggle = (paused: boolean) => async (req: Request, res: Response) => {
    const name = req.params['step'] as string
    const step = runtime.registry.steps().find((candidate) => candidate.name === name)
    if (step?.type !== 'event') {
      res.status(404).json({ error: `No event step named "${name}". Only event steps have a queue; see GET /__motia/steps.` })
      return
    }
    await (paused ? runtime.queue.pause(name) : runtime.queue.resume(name))
    res.json({ step: name, paused })
  }

  router.post('/__motia/queues/:step/pause', toggle(true))
  router.post('/__motia/queues/:step/resume', toggle(false))

  return router
}
