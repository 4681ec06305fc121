import { createMemoryStateStore } from './memory-state.ts'
import { runStateContract } from './state.contract.ts'

runStateContract('memory state store', () => createMemoryStateStore())
