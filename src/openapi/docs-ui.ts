/**
 * Serves the OpenAPI document and a Swagger UI page from `swagger-ui-dist`'s files on disk: no CDN, so the
 * page works offline.
 */
import { readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import type { Router } from '../router/router.js'
import { buildOpenApiDocument, type OpenApiOptions } from './document.js'

const ASSETS: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
  'swagger-ui-standalone-preset.js': 'text/javascript; charset=utf-8',
  'favicon-32x32.png': 'image/png',
}

function assetDir(): string {
  return dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'))
}

const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)

function page(base: string, title: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${escapeHtml(title)}</title>
<link rel="stylesheet" href="${base}/swagger-ui.css">
<link rel="icon" type="image/png" href="${base}/favicon-32x32.png">
</head>
<body>
<div id="swagger-ui"></div>
<script src="${base}/swagger-ui-bundle.js"></script>
<script src="${base}/swagger-ui-standalone-preset.js"></script>
<script src="${base}/swagger-initializer.js"></script>
</body>
</html>
`
}

function initializer(specPath: string): string {
  // The spec URL is JSON-encoded into the script, never interpolated raw.
  return `window.ui = SwaggerUIBundle({
  url: ${JSON.stringify(specPath)},
  dom_id: '#swagger-ui',
  // No call to the online validator badge: the page works offline.
  validatorUrl: null,
  deepLinking: true,
  presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
  layout: 'StandaloneLayout',
})
`
}

/**
 * Adds `GET <path>` (the document, built on first request and cached) and, unless `docsPath` is false,
 * `GET <docsPath>` (Swagger UI) with its assets under `<docsPath>/`. These routes are hidden from the
 * document. Called by the App before its routes freeze.
 */
export function mountOpenApi(app: Router<object>, options: OpenApiOptions): void {
  const specPath = options.path ?? '/openapi.json'
  let json: string | undefined
  app.get(specPath, { hidden: true }, (ctx) => {
    json ??= JSON.stringify(buildOpenApiDocument(app, options))
    ctx.header('content-type', 'application/json; charset=utf-8')
    return ctx.send(Buffer.from(json))
  })
  const docsPath = options.docsPath ?? '/docs'
  if (docsPath === false) return
  const html = page(docsPath, options.info?.title ?? 'API')
  const script = initializer(specPath)
  app.get(docsPath, { hidden: true }, (ctx) => ctx.html(html))
  const initPath: string = `${docsPath}/swagger-initializer.js`
  app.get(initPath, { hidden: true }, (ctx) =>
    ctx.header('content-type', ASSETS['swagger-ui-bundle.js'] as string).send(Buffer.from(script)),
  )
  const cache = new Map<string, Promise<Buffer>>()
  for (const [file, type] of Object.entries(ASSETS)) {
    const assetPath: string = `${docsPath}/${file}`
    app.get(assetPath, { hidden: true }, async (ctx) => {
      let bytes = cache.get(file)
      if (!bytes) cache.set(file, (bytes = readFile(join(assetDir(), file))))
      ctx.header('content-type', type).header('cache-control', 'public, max-age=86400')
      return ctx.send(await bytes)
    })
  }
}
