/* global document, EventSource */
// The dashboard page: EventSource does the streaming and the reconnecting (sending Last-Event-ID by
// itself); this script only puts numbers in the page, and counts samples that never arrived.
const FIELDS = ['requests', 'inFlight', 'loopDelayMaxMs', 'rssMb', 'heapUsedMb', 'walk', 'clients']
const $ = (id) => document.getElementById(id)
let lastId = 0
let missed = 0
let connects = 0

const events = new EventSource('/events')

events.addEventListener('hello', (event) => {
  const hello = JSON.parse(event.data)
  $('connects').textContent = String(++connects)
  if (hello.resumedAfter !== null) {
    $('resumed').textContent = `after sample ${hello.resumedAfter} (${hello.replayed} replayed)`
  }
  $('status').textContent = `live: a sample every ${hello.intervalMs} ms`
})

events.addEventListener('sample', (event) => {
  const sample = JSON.parse(event.data)
  // A restarted server numbers from 1 again: only count holes in one run of ids.
  if (lastId > 0 && sample.id > lastId + 1) missed += sample.id - lastId - 1
  lastId = sample.id
  for (const field of FIELDS) $(field).textContent = String(sample[field])
  $('sample-id').textContent = String(sample.id)
  $('missed').textContent = String(missed)
})

events.addEventListener('error', () => {
  // EventSource retries by itself (after the server's `retry:` delay) unless the server refused for good.
  $('status').textContent = events.readyState === EventSource.CLOSED ? 'closed' : 'reconnecting…'
})
