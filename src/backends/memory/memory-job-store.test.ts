import { runJobStoreContract } from '../../queue/job-store.contract.ts'
import { createMemoryJobStore } from './memory-job-store.ts'

runJobStoreContract('memory job store', () => {
  const store = createMemoryJobStore()
  return { store, release: () => store.close() }
})
