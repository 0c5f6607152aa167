import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApp, multipart, parseForm, parseMultipart, type App } from '../../../src/index.js'
import { multipartBody, MULTIPART_TYPE, type TestPart } from './helpers.js'

const FORM = 'application/x-www-form-urlencoded'

function formApp(): App {
  const app = createApp({ logger: false })
  app.post('/form', async (ctx) => {
    const fields = await parseForm(ctx, { limits: { fields: 6, fieldSize: 64 } })
    return {
      fields,
      prototypeIntact: Object.getPrototypeOf({}) === Object.prototype && !('polluted' in {}),
      ownProto: Object.getPrototypeOf(fields) === null,
    }
  })
  // The iterator form: fields and file sizes in arrival order, the files read and dropped.
  app.post('/parts', async (ctx) => {
    const seen: string[] = []
    for await (const part of multipart(ctx)) {
      if (part.kind === 'field') seen.push(`field ${part.name}=${part.value}`)
      else {
        let size = 0
        for await (const chunk of part.stream) size += (chunk as Buffer).length
        seen.push(`file ${part.fieldName} ${part.filename} ${part.mimeType} ${size}`)
      }
    }
    return seen
  })
  app.post('/upload', async (ctx) => {
    const { fields, files } = await parseMultipart(ctx)
    return { fields, files: files.map((f) => ({ name: f.filename, size: f.size })) }
  })
  return app
}

const parts: TestPart[] = [
  { field: 'title', value: 'Holiday' },
  { file: 'photo', filename: 'a.jpg', type: 'image/jpeg', size: 300_000 },
  { field: 'tag', value: 'sea' },
  { field: 'tag', value: 'sun' },
  { file: 'photo', filename: 'b.png', type: 'image/png', content: 'PNG' },
]

describe.each(['uws', 'node'] as const)('forms on the %s core', (core) => {
  const app = formApp()
  let base = ''
  beforeAll(async () => {
    base = (await app.listen({ port: 0, signals: false, core })).url
  })
  afterAll(() => app.close())

  const post = (path: string, body: string | Buffer, type: string) =>
    fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': type }, body })

  it('parseForm() collects repeated names in arrays and keeps __proto__ a plain field', async () => {
    const res = await post('/form', 'a=1&tag=x&tag=y&__proto__%5Bpolluted%5D=1&__proto__=2&sp=a+b%20c', FORM)
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({
      fields: { a: '1', tag: ['x', 'y'], '__proto__[polluted]': '1', ['__proto__']: '2', sp: 'a b c' },
      prototypeIntact: true,
      ownProto: true,
    })
  })

  it.each([
    ['fields', 'a=1&b=2&c=3&d=4&e=5&f=6&g=7', 'limit fields is 6'],
    ['fieldSize', `a=${'x'.repeat(65)}`, 'limit fieldSize is 64'],
  ])('parseForm() answers 413 ERR_FORM_LIMIT naming %s', async (limit, body, message) => {
    const res = await post('/form', body, FORM)
    expect(res.status).toBe(413)
    const json = (await res.json()) as { code: string; message: string; details: unknown }
    expect(json).toMatchObject({ code: 'ERR_FORM_LIMIT', details: { limit } })
    expect(json.message).toContain(message)
  })

  it('parseForm() answers 415 for another media type or a charset other than UTF-8', async () => {
    expect((await post('/form', '{}', 'application/json')).status).toBe(415)
    const latin1 = await post('/form', 'a=1', `${FORM}; charset=iso-8859-1`)
    expect(latin1.status).toBe(415)
    expect(await latin1.json()).toMatchObject({ code: 'ERR_UNSUPPORTED_MEDIA_TYPE' })
    expect((await post('/form', 'a=%C3%A9', `${FORM}; charset=UTF-8`)).status).toBe(200)
  })

  it('multipart() yields fields and files in arrival order, each file readable as a stream', async () => {
    const res = await post('/parts', multipartBody(parts), MULTIPART_TYPE)
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual([
      'field title=Holiday',
      'file photo a.jpg image/jpeg 300000',
      'field tag=sea',
      'field tag=sun',
      'file photo b.png image/png 3',
    ])
  })

  it('parseMultipart() returns repeated fields as arrays and every file with its size', async () => {
    const res = await post('/upload', multipartBody(parts), MULTIPART_TYPE)
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({
      fields: { title: 'Holiday', tag: ['sea', 'sun'] },
      files: [
        { name: 'a.jpg', size: 300_000 },
        { name: 'b.png', size: 3 },
      ],
    })
  })
})
