/**
 * Runs bench servers as plain JavaScript: each server script (and the Swiftlet sources it imports) is
 * bundled per run with esbuild, packages left external, into node_modules/.cache/swiftlet-bench/.
 * Under `node --import tsx` every server process also carried tsx's loader thread (a second V8 isolate,
 * about 35 MB of RSS) and its per-module transform: a cost of the tooling, not of the framework measured.
 *
 * The bundle keeps what a deployment of the compiled modules (`node dist/...`) loads, no more: code
 * splitting keeps each dynamic `import()` (the node:https/http2 core, the cluster primary) in its own chunk,
 * whose built-in modules load only if it runs (one flat file hoisted node:http2, node:https, node:tls and
 * their bindings into every server: ~3.5 MB of RSS); source maps go to linked files, not into the source
 * text V8 holds (an inline map doubled a ~450 kB bundle).
 */
import { mkdirSync, rmSync } from 'node:fs'
import { basename, dirname, join, resolve } from 'node:path'
import { build } from 'esbuild'

/** Where bundles go: inside node_modules so their bare imports resolve to the project's packages. */
const CACHE_DIR = 'node_modules/.cache/swiftlet-bench'

/** Bundles made by this process: each server start gets its own directory, deleted when that server exits. */
let bundles = 0
/** Bundle directories not deleted yet: whatever is left goes when this process exits (Ctrl-C included). */
const live = new Set<string>()
process.on('exit', () => {
  for (const dir of live) rmSync(dir, { recursive: true, force: true })
})

/** Deletes the bundle whose entry file is `entry` (once its server exited). */
export function removeBundle(entry: string): void {
  const dir = dirname(entry)
  live.delete(dir)
  rmSync(dir, { recursive: true, force: true })
}

/**
 * Bundles `script` (TypeScript, ESM) for Node 20 into a new directory and returns the path of its entry
 * `.mjs` file (chunks and maps beside it). The caller deletes the directory once the server exits.
 * @param cwd - Project root (where node_modules is).
 * @throws Error with esbuild's messages when the script does not compile.
 */
export async function bundleScript(script: string, cwd: string): Promise<string> {
  const name = basename(script).replace(/\.[cm]?tsx?$/, '')
  const outdir = resolve(cwd, CACHE_DIR, `${name}-${process.pid}-${++bundles}`)
  mkdirSync(outdir, { recursive: true })
  live.add(outdir)
  await build({
    entryPoints: [resolve(cwd, script)],
    outdir,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    splitting: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    sourcemap: 'linked',
    logLevel: 'silent',
  }).catch((error: unknown) => {
    removeBundle(join(outdir, `${name}.mjs`))
    throw error
  })
  return join(outdir, `${name}.mjs`)
}
