/**
 * The gallery runner (`npm run example -- <name>`):
 *
 *   npm run example                         lists the examples in examples/middleware/, and chat, sse-dashboard
 *   npm run example -- <name>               runs one on 127.0.0.1:$PORT (3000) and prints the URL and curl lines
 *   npm run example -- <name> --transcript  runs its curl lines against it and prints a Markdown transcript
 *                                           (docs/middleware.md's transcripts come from here, so they stay true)
 */
import { execFile } from 'node:child_process'
import { readdir, readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import type { App } from '../src/index.js'
import { serve, withUrl } from './middleware/serve.js'

const DIR = new URL('./middleware/', import.meta.url)
const NOT_EXAMPLES = new Set(['serve'])
/** Examples in a folder of their own, whose app.ts exports `buildApp()` and `tryIt`. */
const APP_EXAMPLES: Record<string, string> = {
  chat: './chat/app.ts',
  'sse-dashboard': './sse-dashboard/app.ts',
  upload: './upload/app.ts',
}
const fileOf = (name: string): URL =>
  new URL(APP_EXAMPLES[name] ?? `${name}.ts`, APP_EXAMPLES[name] ? import.meta.url : DIR)

interface ExampleModule {
  app?: App<object>
  tryIt: readonly string[]
  runChecks?: () => Promise<number>
}

/** Example names, sorted. */
async function names(): Promise<string[]> {
  const files = await readdir(DIR)
  return files
    .filter((file) => file.endsWith('.ts'))
    .map((file) => file.slice(0, -3))
    .filter((name) => !NOT_EXAMPLES.has(name))
    .concat(Object.keys(APP_EXAMPLES))
    .sort()
}

/** The first sentence of an example's header comment. */
async function summary(name: string): Promise<string> {
  const text = await readFile(fileOf(name), 'utf8')
  const comment = /\/\*\*([\s\S]*?)\*\//.exec(text)?.[1] ?? ''
  const prose = comment
    .replace(/^\s*\* ?/gm, ' ')
    .replace(/\s+/g, ' ')
    .trim()
  const first = prose.split(/(?<=\.)\s/)[0] ?? ''
  return first.length > 96 ? `${first.slice(0, 95)}…` : first
}

async function list(): Promise<void> {
  console.log('Examples (npm run example -- <name>):\n')
  for (const name of await names()) console.log(`  ${name.padEnd(22)} ${await summary(name)}`)
}

/** Runs each curl line against a fresh server on an ephemeral port and prints it as Markdown. */
async function transcript(name: string, mod: ExampleModule): Promise<void> {
  if (!mod.app) return void console.log('(no server: run the example itself)')
  const { url } = await mod.app.listen({ host: '127.0.0.1', port: 0, signals: false })
  const base = url.replace(/\/$/, '')
  const run = promisify(execFile)
  try {
    console.log(`\`npm run example -- ${name}\`, then:\n`)
    for (const [i, line] of withUrl(mod.tryIt, base).entries()) {
      const { stdout } = await run('sh', ['-c', line], { timeout: 10_000 })
      const shown = (mod.tryIt[i] ?? '').replaceAll('$URL', 'http://127.0.0.1:3000')
      const output = stdout.replaceAll(base, 'http://127.0.0.1:3000').replace(/^date: .*\r?\n/gim, '')
      console.log('```console\n$ ' + shown + '\n' + output.replace(/\r/g, '').trimEnd() + '\n```\n')
    }
  } finally {
    await mod.app.close()
  }
}

async function main(args: string[]): Promise<void> {
  const name = args.find((arg) => !arg.startsWith('-'))
  if (name === undefined) return list()
  if (!(await names()).includes(name)) {
    console.error(`No example named "${name}".\n`)
    await list()
    process.exitCode = 1
    return
  }
  const loaded = (await import(fileURLToPath(fileOf(name)))) as ExampleModule & {
    buildApp?: () => App<object>
  }
  const mod = loaded.buildApp ? { ...loaded, app: loaded.buildApp() } : loaded
  if (args.includes('--transcript')) return transcript(name, mod)
  console.log(`${name}: ${await summary(name)}`)
  if (mod.runChecks) {
    process.exitCode = (await mod.runChecks()) > 0 ? 1 : 0
    return
  }
  if (mod.app) await serve(mod.app, mod.tryIt)
}

await main(process.argv.slice(2))
