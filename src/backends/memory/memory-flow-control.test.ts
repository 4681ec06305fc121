import { runFlowControlContract } from '../../queue/flow-control.contract.ts'
import { createMemoryQueue } from './memory-queue.ts'

runFlowControlContract('memory flow control', { open: () => createMemoryQueue(), durable: false })
