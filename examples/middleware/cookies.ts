/**
 * Cookies: `cookies({ keys })` puts a jar on `ctx.state.cookies`: read what the browser sent, set cookies
 * with safe defaults (Path=/, HttpOnly, SameSite=Lax), and sign values that must not be edited by the
 * client. Keys rotate: values signed with an older key are still accepted and re-signed with the newest.
 *
 * Try: set a plain and a signed cookie, read them back, then tamper with the signed one (it reads as absent).
 */
import { createApp } from '../../src/index.js'
import { cookies, type CookieState } from '../../src/middleware/cookies/index.js'
import { isMain, serve } from './serve.js'

export const app = createApp<CookieState>({ logger: false })
app.use(cookies({ keys: [process.env.COOKIE_KEY ?? 'demo-cookie-key-change-me-0123456789'] }))

app.post('/prefs', (ctx) => {
  ctx.state.cookies.set('theme', ctx.query.get('theme') ?? 'dark', { maxAge: 365 * 24 * 3600 })
  ctx.state.cookies.set('plan', 'free', { signed: true })
  return { ok: true }
})
app.get('/prefs', (ctx) => ({
  theme: ctx.state.cookies.get('theme') ?? null,
  plan: ctx.state.cookies.get('plan', { signed: true }) ?? null,
}))

export const tryIt = [
  'curl -si -X POST "$URL/prefs?theme=light"',
  'COOKIES=$(curl -si -X POST $URL/prefs | grep -i "^set-cookie" | sed "s/^[Ss]et-[Cc]ookie: \\([^;]*\\).*/\\1/" | paste -sd ";" -) && curl -s $URL/prefs -H "cookie: $COOKIES"',
  'curl -s $URL/prefs -H "cookie: theme=light; plan=pro.forged-signature"',
]

if (isMain(import.meta.url)) await serve(app, tryIt)
