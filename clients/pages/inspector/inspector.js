// The inspector: rooms, one room's events as they are appended, and this gateway's key figures.
// It only reads the management API that serves it (GET /rooms, GET /rooms/{id} with the admin
// key; GET /metrics), polling: a room's recent events come with their seqs, so new ones are those
// past the last seq shown. Everything is set with textContent: room data comes from users.

const $ = (id) => document.getElementById(id);
const POLL_MS = 1000;

let adminKey = sessionStorage.getItem('roomlogAdminKey') || '';
let openRoom = null;
let lastSeq = 0;
let lastActions = null;
let timer = null;

function status(text, error = false) {
  $('status').textContent = text;
  if (error) $('status').dataset.error = 'true';
  else delete $('status').dataset.error;
}

async function api(path) {
  const answer = await fetch(path, { headers: { 'x-admin-key': adminKey }, cache: 'no-store' });
  if (answer.status === 401 || answer.status === 403) {
    throw Object.assign(new Error('the admin key was refused: enter it again'), { keyRefused: true });
  }
  if (!answer.ok) {
    const body = await answer.text();
    throw new Error(`${path}: ${answer.status} ${body.slice(0, 200)}`);
  }
  return answer.json();
}

/** Sums the samples of one Prometheus metric whose labels match. */
function sum(metricsText, name, labelMatch = () => true) {
  let total = 0;
  for (const line of metricsText.split('\n')) {
    if (!line.startsWith(name)) continue;
    const m = line.match(/^([a-zA-Z_:][\w:]*)(\{([^}]*)\})?\s+([^\s]+)/);
    if (!m || m[1] !== name) continue;
    const labels = Object.fromEntries(
      (m[3] || '').split(',').filter(Boolean).map((pair) => {
        const [k, v] = pair.split('=');
        return [k.trim(), (v || '').replace(/^"|"$/g, '')];
      }));
    if (labelMatch(labels)) total += Number(m[4]);
  }
  return total;
}

async function updateFigures() {
  const answer = await fetch('/metrics', { cache: 'no-store' });
  if (!answer.ok) return;
  const text = await answer.text();
  const now = performance.now();
  $('fig-connections').textContent = String(sum(text, 'roomlog_gateway_connections_open'));
  const actions = sum(text, 'roomlog_gateway_actions_total');
  if (lastActions) {
    const perSecond = (actions - lastActions.count) / ((now - lastActions.at) / 1000);
    $('fig-actions').textContent = perSecond.toFixed(1);
  }
  lastActions = { count: actions, at: now };
  const actionOutcome = (codes) => (labels) => codes.includes(labels.outcome);
  const refusedWith = (code) => (labels) => labels.status === code;
  const tooMany =
    sum(text, 'roomlog_gateway_actions_total', actionOutcome(['rateLimited'])) +
    sum(text, 'roomlog_gateway_handshakes_refused_total', refusedWith('429'));
  const unavailable =
    sum(text, 'roomlog_gateway_actions_total', actionOutcome(['overloaded', 'logUnavailable', 'staleGateway'])) +
    sum(text, 'roomlog_gateway_handshakes_refused_total', refusedWith('503'));
  $('fig-429').textContent = String(tooMany);
  $('fig-503').textContent = String(unavailable);
}

async function updateRooms() {
  const page = await api('/rooms?limit=100');
  const body = $('rooms');
  body.replaceChildren();
  for (const room of page.rooms) {
    const row = document.createElement('tr');
    row.dataset.roomId = room.roomId;
    row.setAttribute('aria-current', String(room.roomId === openRoom));
    const name = document.createElement('td');
    const button = document.createElement('button');
    button.type = 'button';
    button.textContent = room.roomId;
    button.addEventListener('click', () => show(room.roomId));
    name.append(button);
    row.append(name, cell(room.seq), cell(room.memberCount), cell(room.private ? 'yes' : ''));
    body.append(row);
  }
  if (page.rooms.length === 0) {
    const row = document.createElement('tr');
    const empty = cell('No rooms yet.');
    empty.colSpan = 4;
    row.append(empty);
    body.append(row);
  }
}

function cell(value) {
  const td = document.createElement('td');
  td.textContent = String(value);
  return td;
}

function describe(event) {
  switch (event.type) {
    case 'roomCreated': return `room created by ${event.createdBy}${event.private ? ' (private)' : ''}`;
    case 'memberJoined': return `${event.username} joined (${event.connectionId})`;
    case 'memberLeft': return `${event.username} left: ${event.reason}${event.note ? ` (${event.note})` : ''}`;
    case 'messagePosted': return `${event.username}: ${event.text}`;
    case 'userBanned': return `${event.user} banned until ${new Date(event.until).toISOString()}`;
    case 'userInvited': return `${event.user} invited by ${event.invitedBy}`;
    default: return JSON.stringify(event);
  }
}

async function updateRoom() {
  if (!openRoom) return;
  const room = await api(`/rooms/${encodeURIComponent(openRoom)}`);
  $('members').replaceChildren(...room.members.map((m) => {
    const li = document.createElement('li');
    li.textContent = `${m.username} (${m.connectionId})`;
    return li;
  }));
  const fresh = room.recent.filter((e) => e.seq > lastSeq);
  if (fresh.length && lastSeq > 0 && fresh[0].seq > lastSeq + 1) {
    // The room keeps only its latest events; the log (roomlog.room-events) has them all.
    const li = document.createElement('li');
    li.className = 'missing';
    li.textContent = `events ${lastSeq + 1} to ${fresh[0].seq - 1} came and went between two looks (the log has them)`;
    $('events').append(li);
  }
  for (const event of fresh) {
    const li = document.createElement('li');
    li.dataset.seq = String(event.seq);
    li.dataset.type = event.type;
    const seq = document.createElement('span');
    seq.className = 'seq';
    seq.textContent = `#${event.seq}`;
    li.append(seq, document.createTextNode(describe(event)));
    $('events').append(li);
    lastSeq = event.seq;
  }
  $('room-title').textContent = `Room ${room.roomId} (seq ${room.seq}${room.private ? ', private' : ''})`;
}

function show(roomId) {
  openRoom = roomId;
  lastSeq = 0;
  $('events').replaceChildren();
  $('room').hidden = false;
  tick();
}

async function tick() {
  clearTimeout(timer);
  try {
    await Promise.all([updateFigures(), updateRooms(), updateRoom()]);
    status(`Up to date at ${new Date().toLocaleTimeString()}.`);
  } catch (error) {
    status(error.message, true);
    if (error.keyRefused) {
      sessionStorage.removeItem('roomlogAdminKey');
      $('key-form').hidden = false;
      $('inspector').hidden = true;
      $('admin-key').focus();
      return;
    }
  }
  timer = setTimeout(tick, POLL_MS);
}

function start() {
  $('key-form').hidden = true;
  $('inspector').hidden = false;
  tick();
}

$('key-form').addEventListener('submit', (event) => {
  event.preventDefault();
  adminKey = $('admin-key').value.trim();
  if (!adminKey) return;
  sessionStorage.setItem('roomlogAdminKey', adminKey);
  start();
});

if (adminKey) start();
