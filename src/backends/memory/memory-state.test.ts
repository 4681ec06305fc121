import { createMemoryStateStore } from './memory-state.ts'
import { runStateContract } from '../../state/state.contract.ts'

runStateContract('memory state store', () => createMemoryStateStore())
