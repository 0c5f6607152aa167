import { MemoryBroker, MemoryBus } from '../../../src/index.js'
import { brokerContract } from './broker-contract.js'

brokerContract('MemoryBroker', async () => {
  const bus = new MemoryBus()
  return { a: new MemoryBroker(bus), b: new MemoryBroker(bus) }
})
