import { createApp, provide } from '../../src/index.js'

/** A database connection, as a driver (pg, mysql2...) hands one out. */
export interface Connection {
  query(sql: string, params: unknown[]): Promise<Record<string, unknown>[]>
  release(): void
}

/** A stand-in for a real pool: connect() hands out a connection to release. */
export const pool = {
  open: 0,
  async connect(): Promise<Connection> {
    pool.open++
    return {
      query: async (sql, params) => [{ sql, params }],
      release: () => void pool.open--,
    }
  },
}

// Declared once; resolved per request, cached for that request, released after the response.
export const db = provide('db', async function* () {
  const conn = await pool.connect()
  try {
    yield conn
  } finally {
    conn.release()
  }
})

// Providers can use providers.
export const users = provide('users', async (ctx) => {
  const conn = await db.resolve(ctx)
  return { find: (id: string) => conn.query('select * from users where id = $1', [id]) }
})

export const app = createApp({ logger: false })

app.get('/users/:id', async (ctx) => {
  const repo = await users.resolve(ctx)
  const conn = await db.resolve(ctx) // the same connection as the one `users` got
  return { rows: await repo.find(ctx.params.id), sameConnection: conn === (await db.resolve(ctx)) }
})
