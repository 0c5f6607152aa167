/**
 * API keys: `apiKey({ verify })` reads `x-api-key` (and, only when you opt in, a query parameter: URLs end
 * up in logs) and puts the key's owner on `ctx.state.user`; 401 with an `ApiKey` challenge otherwise.
 *
 * Try: no key (401), a wrong key (401), the demo key in the header (200), and in the query (200 here,
 * because this example opts in with `query: 'api_key'`).
 */
import { createHash } from 'node:crypto'
import { createApp } from '../../src/index.js'
import { apiKey, type AuthState, type AuthUser } from '../../src/middleware/auth/index.js'
import { isMain, serve } from './serve.js'

// Store hashes of keys, not keys: a leaked table then reveals nothing usable. Lookup by hash is constant
// time enough (a Map lookup of a fixed-length digest).
const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex')
const KEYS = new Map<string, AuthUser>([
  [sha256('demo-key-123'), { id: 'reporting-bot', scopes: ['metrics:read'] }],
])

export const app = createApp<AuthState>({ logger: false })

app.use(apiKey({ query: 'api_key', verify: (key) => KEYS.get(sha256(key)) }))
app.get('/metrics', (ctx) => ({ caller: ctx.state.user.id, requests: 1234 }))

export const tryIt = [
  'curl -si $URL/metrics',
  'curl -si $URL/metrics -H "x-api-key: nope"',
  'curl -si $URL/metrics -H "x-api-key: demo-key-123"',
  'curl -si "$URL/metrics?api_key=demo-key-123"',
]

if (isMain(import.meta.url)) await serve(app, tryIt)
