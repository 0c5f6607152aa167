/** Versions of Node, the generators and every framework a comparison ran, for the record. */
import { existsSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'

const require = createRequire(import.meta.url)
const PACKAGES = [
  'uWebSockets.js',
  'fastify',
  'hono',
  '@hono/node-server',
  'express',
  'hyper-express',
  'ultimate-express',
  'autocannon',
  'undici',
  'zod',
] as const

/** The version in a package's package.json, found from its entry point (some do not export the file). */
function versionOf(name: string): string {
  let dir = dirname(require.resolve(name))
  for (let i = 0; i < 6; i++, dir = dirname(dir)) {
    const file = join(dir, 'package.json')
    if (!existsSync(file)) continue
    const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string }
    const here = pkg.name === name || dir.endsWith(join('node_modules', name))
    if (here && pkg.version !== undefined) return pkg.version
  }
  return '?'
}

/** `{ node, <package>: version }`; a package that cannot be read is `'?'`. */
export function frameworkVersions(): Record<string, string> {
  const out: Record<string, string> = { node: process.version }
  for (const name of PACKAGES) {
    try {
      out[name] = versionOf(name)
    } catch {
      out[name] = '?'
    }
  }
  return out
}
