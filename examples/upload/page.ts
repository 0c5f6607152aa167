/**
 * The upload page: a file form, a progress bar driven by XMLHttpRequest's `upload.onprogress` (fetch()
 * cannot report upload progress), and the list of stored files. Names are inserted as text, never as HTML.
 */
export const PAGE = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Swiftlet uploads</title>
  <style>
    body { font: 16px/1.5 system-ui, sans-serif; max-width: 40rem; margin: 2rem auto; padding: 0 1rem; }
    progress { width: 100%; height: 1.25rem; }
    #status { min-height: 1.5em; }
  </style>
</head>
<body>
  <h1>Upload files</h1>
  <form id="form">
    <input type="file" id="files" name="files" multiple required>
    <button type="submit">Upload</button>
  </form>
  <progress id="bar" max="100" value="0"></progress>
  <p id="status" aria-live="polite"><span id="percent">0%</span></p>
  <h2>Stored files</h2>
  <ul id="list"></ul>
  <script>
    const form = document.getElementById('form')
    const bar = document.getElementById('bar')
    const percent = document.getElementById('percent')
    const status = document.getElementById('status')
    const list = document.getElementById('list')

    async function refresh() {
      const files = await (await fetch('/files')).json()
      list.replaceChildren(...files.map((file) => {
        const item = document.createElement('li')
        const link = document.createElement('a')
        link.href = '/files/' + encodeURIComponent(file.id)
        link.textContent = file.filename
        item.append(link, ' (' + file.size + ' bytes)')
        return item
      }))
    }

    form.addEventListener('submit', (event) => {
      event.preventDefault()
      const xhr = new XMLHttpRequest()
      xhr.open('POST', '/upload')
      xhr.upload.onprogress = (e) => {
        if (!e.lengthComputable) return
        const value = Math.floor((e.loaded / e.total) * 100)
        bar.value = value
        percent.textContent = value + '%'
      }
      xhr.onload = async () => {
        if (xhr.status === 201) {
          bar.value = 100
          percent.textContent = '100%'
          status.dataset.state = 'done'
          await refresh()
        } else {
          const error = JSON.parse(xhr.responseText)
          status.dataset.state = 'failed'
          status.textContent = 'Upload failed: ' + error.message
        }
      }
      xhr.onerror = () => { status.dataset.state = 'failed'; status.textContent = 'Upload failed: network error' }
      const body = new FormData()
      for (const file of document.getElementById('files').files) body.append('files', file)
      xhr.send(body)
    })
    refresh()
  </script>
</body>
</html>
`
