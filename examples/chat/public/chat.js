/* global document, location, WebSocket */
// The chat page: join a room, show what arrives, send what is typed. User text is only ever put in the
// page with textContent (never innerHTML), so `<script>` in a message or a nick is shown, not run.
const $ = (id) => document.getElementById(id)
let socket

/** Appends a line to the log: a message (nick + text) or a notice. */
function append(nick, text, className) {
  const item = document.createElement('li')
  if (className) item.className = className
  if (nick !== undefined) {
    const who = document.createElement('span')
    who.className = 'nick'
    who.textContent = nick
    item.append(who)
  }
  const body = document.createElement('span')
  body.className = 'text'
  body.textContent = text
  item.append(body)
  $('log').append(item)
  item.scrollIntoView({ block: 'nearest' })
}

function setMembers(count) {
  $('members').textContent = String(count)
}

function onMessage(event) {
  const message = JSON.parse(event.data)
  switch (message.type) {
    case 'welcome':
      $('room-name').textContent = message.room
      setMembers(message.members)
      for (const old of message.history) append(old.nick, old.text)
      append(undefined, `you joined as ${message.nick}`, 'notice')
      break
    case 'message':
      append(message.nick, message.text)
      break
    case 'join':
    case 'leave':
      setMembers(message.members)
      append(undefined, `${message.nick} ${message.type === 'join' ? 'joined' : 'left'}`, 'notice')
      break
    case 'error':
      $('status').textContent = message.message
      break
  }
}

function join(nick, room) {
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws'
  const url = `${scheme}://${location.host}/ws/${encodeURIComponent(room)}?nick=${encodeURIComponent(nick)}`
  let opened = false
  socket = new WebSocket(url)
  socket.addEventListener('open', () => {
    opened = true
    $('log').replaceChildren()
    $('status').textContent = ''
    $('join-form').hidden = true
    $('chat').hidden = false
    $('text').focus()
  })
  socket.addEventListener('message', onMessage)
  socket.addEventListener('close', (event) => {
    $('join-form').hidden = false
    $('chat').hidden = true
    // The browser does not say why a handshake was refused; the server answered 4xx with the reason.
    $('status').textContent = opened
      ? `disconnected (${event.code}${event.reason ? `: ${event.reason}` : ''})`
      : 'could not join: a nick of letters, digits, spaces or . _ - and a room of a-z, 0-9 and -'
  })
}

$('join-form').addEventListener('submit', (event) => {
  event.preventDefault()
  join($('nick').value, $('room').value)
})
$('say-form').addEventListener('submit', (event) => {
  event.preventDefault()
  const text = $('text').value.trim()
  if (text === '' || socket?.readyState !== WebSocket.OPEN) return
  socket.send(JSON.stringify({ type: 'say', text }))
  $('text').value = ''
})
$('leave').addEventListener('click', () => socket?.close(1000, 'left'))
