/**
 * Sessions and login: `session()` keeps data server-side behind a signed cookie, regenerates the id on
 * login (so an id planted before login is worthless after it) and destroys it on logout; `csrf()` makes
 * every state-changing request prove it came from our own pages (double-submit token).
 *
 * Try (curl keeps the cookies in /tmp/swiftlet-jar): who am I (nobody), log in without the CSRF token
 * (403), fetch a token and log in with it (the `sid` cookie changes), who am I (ada), log out.
 */
import { createApp, HttpError, safeEqual } from '../../src/index.js'
import { csrf, type CsrfState } from '../../src/middleware/csrf/index.js'
import { session, type SessionState } from '../../src/middleware/session/index.js'
import { isMain, serve } from './serve.js'

type State = SessionState<{ user: string; loginAt: string }> & CsrfState

// Keys come from the environment in real apps; list a new key first to rotate without logging anyone out.
const KEYS = [process.env.SESSION_KEY ?? 'demo-session-key-change-me-0123456789']

export const app = createApp<State>({ logger: false })
app.use(session({ keys: KEYS, maxAge: 30 * 60 }), csrf({ keys: KEYS }))

app.get('/csrf', (ctx) => ctx.text(ctx.state.csrfToken))
app.get('/me', (ctx) => ({
  user: ctx.state.session.data.user ?? null,
  since: ctx.state.session.data.loginAt ?? null,
}))

app.post('/login', async (ctx) => {
  const form = await ctx.req.form() // csrf() already checked its _csrf field
  if (form.get('user') !== 'ada' || !safeEqual(form.get('password') ?? '', 'lovelace')) {
    throw new HttpError(401, 'wrong user or password', {
      headers: { 'www-authenticate': 'Form realm="app"' },
    })
  }
  ctx.state.session.regenerate() // new id: defeats session fixation
  ctx.state.session.data = { user: 'ada', loginAt: new Date().toISOString() }
  return { ok: true }
})

app.post('/logout', (ctx) => {
  ctx.state.session.destroy()
  return { ok: true }
})

const JAR = '-c /tmp/swiftlet-jar -b /tmp/swiftlet-jar'
export const tryIt = [
  `rm -f /tmp/swiftlet-jar; curl -si ${JAR} $URL/me`,
  `curl -si ${JAR} -X POST $URL/login -d "user=ada&password=lovelace"`,
  `TOKEN=$(curl -s ${JAR} $URL/csrf) && curl -si ${JAR} -X POST $URL/login -d "user=ada&password=lovelace&_csrf=$TOKEN"`,
  `curl -si ${JAR} $URL/me`,
  `TOKEN=$(curl -s ${JAR} $URL/csrf) && curl -si ${JAR} -X POST $URL/logout -H "x-csrf-token: $TOKEN"`,
]

if (isMain(import.meta.url)) await serve(app, tryIt)
