/**
 * `/stats` and `/stats/reset` of the Swiftlet bench server when it runs several worker processes (`WORKERS`,
 * `listen({ workers })`). A control request reaches one worker; that worker asks the primary, which asks
 * every worker for its `app.stats()` (resetting the peak first for a reset) and sends back the sums. So the
 * harness sees the server's totals, not one worker's. `peakInFlight` is the sum of the workers' peaks,
 * which may have happened at slightly different moments: an upper bound of the true peak.
 */
import cluster, { type Worker } from 'node:cluster'

/** The gauge every worker reports. */
export interface GaugeStats {
  inFlight: number
  peakInFlight: number
  requests: number
}

type Op = 'read' | 'reset'

/** IPC messages: worker → primary `gather`, primary → workers `collect`, `report` back, then `gathered`. */
interface StatsMessage {
  benchStats: 'gather' | 'collect' | 'report' | 'gathered'
  op: Op
  id: number
  stats?: GaugeStats
}

/** How long a gather may take, in ms; a worker that does not answer in time is left out. */
const GATHER_TIMEOUT_MS = 2000

function isStatsMessage(message: unknown): message is StatsMessage {
  return typeof message === 'object' && message !== null && 'benchStats' in message
}

/** In the primary: answers each worker's `gather` with the sum over every connected worker. */
export function serveClusterStats(): void {
  let nextId = 0
  cluster.on('message', (asker: Worker, message: unknown) => {
    if (!isStatsMessage(message) || message.benchStats !== 'gather') return
    const id = ++nextId
    const workers = Object.values(cluster.workers ?? {}).filter((w): w is Worker => w?.isConnected() === true)
    const sum: GaugeStats = { inFlight: 0, peakInFlight: 0, requests: 0 }
    let pending = workers.length
    const finish = (): void => {
      clearTimeout(timer)
      cluster.off('message', onReport)
      if (asker.isConnected())
        asker.send({ benchStats: 'gathered', op: message.op, id: message.id, stats: sum })
    }
    const onReport = (_worker: Worker, report: unknown): void => {
      if (!isStatsMessage(report) || report.benchStats !== 'report' || report.id !== id || !report.stats)
        return
      sum.inFlight += report.stats.inFlight
      sum.peakInFlight += report.stats.peakInFlight
      sum.requests += report.stats.requests
      if (--pending === 0) finish()
    }
    const timer = setTimeout(finish, GATHER_TIMEOUT_MS)
    cluster.on('message', onReport)
    for (const worker of workers) worker.send({ benchStats: 'collect', op: message.op, id })
  })
}

const waiting = new Map<number, (stats: GaugeStats) => void>()
let nextAsk = 0

/** In a worker: reports its own gauge to the primary, and receives the sums it asked for. */
export function answerClusterStats(app: { stats(): GaugeStats; resetPeak(): void }): void {
  process.on('message', (message: unknown) => {
    if (!isStatsMessage(message)) return
    if (message.benchStats === 'collect') {
      if (message.op === 'reset') app.resetPeak()
      process.send?.({ benchStats: 'report', op: message.op, id: message.id, stats: app.stats() })
    } else if (message.benchStats === 'gathered' && message.stats) {
      waiting.get(message.id)?.(message.stats)
      waiting.delete(message.id)
    }
  })
}

/** In a worker: the server's totals (after resetting every worker's peak, for `reset`). */
export function askClusterStats(op: Op): Promise<GaugeStats> {
  const id = ++nextAsk
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      waiting.delete(id)
      reject(new Error('the primary did not answer the stats request'))
    }, GATHER_TIMEOUT_MS * 2)
    waiting.set(id, (stats) => {
      clearTimeout(timer)
      resolve(stats)
    })
    process.send?.({ benchStats: 'gather', op, id })
  })
}
