/**
 * Small HTTP calls to the server's control routes (/health, /stats, /stats/reset). They use node:http
 * without an agent, so each call closes its connection and leaves nothing open that could delay the
 * server's graceful shutdown or show up in its in-flight gauge.
 */
import http from 'node:http'

/** A finished control call. */
export interface ProbeResponse {
  status: number
  body: string
}

/** One request with a hard time limit. */
export function probe(method: 'GET' | 'POST', url: string, timeoutMs = 5000): Promise<ProbeResponse> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, agent: false, timeout: timeoutMs }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => (body += chunk))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
      res.on('error', reject)
    })
    req.on('timeout', () => req.destroy(new Error(`${method} ${url} timed out after ${timeoutMs} ms`)))
    req.on('error', reject)
    req.end()
  })
}

/** The server-side gauge from GET /stats. `core` and `ioDelayMs` are optional extras a server may add. */
export interface ServerStats {
  inFlight: number
  peakInFlight: number
  requests: number
  core: string | undefined
  ioDelayMs: number | undefined
}

/** GET /stats; `undefined` when the route is missing or malformed (e.g. a foreign server under --url). */
export async function fetchStats(origin: string): Promise<ServerStats | undefined> {
  try {
    const res = await probe('GET', `${origin}/stats`)
    if (res.status !== 200) return undefined
    const data = JSON.parse(res.body) as Record<string, unknown>
    const { inFlight, peakInFlight, requests, core, ioDelayMs } = data
    if (typeof inFlight !== 'number' || typeof peakInFlight !== 'number' || typeof requests !== 'number') {
      return undefined
    }
    return {
      inFlight,
      peakInFlight,
      requests,
      core: typeof core === 'string' ? core : undefined,
      ioDelayMs: typeof ioDelayMs === 'number' ? ioDelayMs : undefined,
    }
  } catch {
    return undefined
  }
}

/** POST /stats/reset; true on 204 (or any 2xx). */
export async function resetStats(origin: string): Promise<boolean> {
  try {
    const res = await probe('POST', `${origin}/stats/reset`)
    return res.status >= 200 && res.status < 300
  } catch {
    return false
  }
}

/** GET /health; resolves with a reason string when the server is not healthy. */
export async function checkHealth(origin: string): Promise<string | undefined> {
  try {
    const res = await probe('GET', `${origin}/health`)
    return res.status === 200 ? undefined : `GET /health answered ${res.status}`
  } catch (error) {
    return error instanceof Error ? error.message : String(error)
  }
}
