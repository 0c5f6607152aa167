/**
 * What every gallery example shares: `serve()` starts the example's app and prints its URL and the curl
 * lines to try; `isMain()` tells whether a file was run directly (`npx tsx examples/middleware/timing.ts`)
 * or imported (by examples/run.ts or the gallery test).
 */
import { pathToFileURL } from 'node:url'
import type { App } from '../../src/index.js'

/** What each example module exports. */
export interface Example<S extends object = object> {
  app: App<S>
  /** Shell lines to try, with `$URL` standing for the server's base URL. */
  tryIt: readonly string[]
}

/** True when the module at `url` (its `import.meta.url`) is the program being run. */
export function isMain(url: string): boolean {
  const entry = process.argv[1]
  return entry !== undefined && pathToFileURL(entry).href === url
}

/** `$URL` replaced by `base` in each line. */
export function withUrl(lines: readonly string[], base: string): string[] {
  return lines.map((line) => line.replaceAll('$URL', base))
}

/** Listens on 127.0.0.1:`PORT` (default 3000) and prints where, and what to try. Ctrl-C stops it. */
export async function serve<S extends object>(app: App<S>, tryIt: readonly string[]): Promise<void> {
  const { url } = await app.listen({ host: '127.0.0.1', port: Number(process.env.PORT ?? 3000) })
  const base = url.replace(/\/$/, '')
  console.log(`\nListening on ${base}  (Ctrl-C to stop)\n\nTry:`)
  for (const line of withUrl(tryIt, base)) console.log(`  ${line}`)
  console.log('')
}
