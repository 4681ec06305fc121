import { runStreamStoreContract } from '../../streams/stream-store.contract.ts'
import { createMemoryStreamStore } from './memory-streams.ts'

runStreamStoreContract('memory stream store', () => createMemoryStreamStore())
