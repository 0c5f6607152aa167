/**
 * Runs bench servers as plain JavaScript: each server script (and the Swiftlet sources it imports) is
 * bundled once per run with esbuild, packages left external, into node_modules/.cache/swiftlet-bench/.
 * Under `node --import tsx` every server process also carried tsx's loader thread (a second V8 isolate,
 * about 35 MB of RSS) and its per-module transform: a cost of the tooling, not of the framework measured.
 */
import { mkdirSync } from 'node:fs'
import { basename, join, resolve } from 'node:path'
import { build } from 'esbuild'

/** Where bundles go: inside node_modules so their bare imports resolve to the project's packages. */
const CACHE_DIR = 'node_modules/.cache/swiftlet-bench'

/** Bundles made by this process: each server start gets its own file, deleted when that server exits. */
let bundles = 0

/**
 * Bundles `script` (TypeScript, ESM) for Node 20 and returns the path of a new `.mjs` file (the caller
 * deletes it once the server exits).
 * @param cwd - Project root (where node_modules is).
 * @throws Error with esbuild's messages when the script does not compile.
 */
export async function bundleScript(script: string, cwd: string): Promise<string> {
  const dir = resolve(cwd, CACHE_DIR)
  mkdirSync(dir, { recursive: true })
  const name = basename(script).replace(/\.[cm]?tsx?$/, '')
  const outfile = join(dir, `${name}-${process.pid}-${++bundles}.mjs`)
  await build({
    entryPoints: [resolve(cwd, script)],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    sourcemap: 'inline',
    logLevel: 'silent',
  })
  return outfile
}
