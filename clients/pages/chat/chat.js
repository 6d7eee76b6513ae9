// The chat page: a thin view over the Roomlog client library, which does the hard parts
// (reconnect, resume without gaps, retried sends). Everything shown is set with textContent,
// never as HTML, since names and messages come from other users.
import { RoomlogClient } from '/roomlog-client/index.js';

const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);
const wsUrl = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/`;

/** roomId -> { room, items: [{seq, kind, from, text}] }, in the order they were joined. */
const rooms = new Map();
let current = null;
let client = null;

function notice(text) {
  $('notice').textContent = text || '';
}

function showState(state) {
  const labels = {
    connecting: 'connecting…',
    connected: 'connected',
    reconnecting: 'reconnecting…',
    closed: 'closed',
    idle: 'not connected',
  };
  $('state').textContent = labels[state] || state;
  $('state').dataset.state = state;
}

/** A token for a name, from the dev page's issuer (roomlog dev). */
async function devToken(name) {
  const answer = await fetch(`/chat/dev-token?name=${encodeURIComponent(name)}`, { cache: 'no-store' });
  if (answer.status === 404) {
    throw new Error('this server hands out no tokens: open this page with ?token=<a user token>');
  }
  const body = await answer.json();
  if (!answer.ok) throw new Error(body.message || `token refused (${answer.status})`);
  return body.token;
}

function start(options) {
  client = new RoomlogClient({ url: wsUrl, ...options });
  window.roomlogChat = { client, rooms };
  client.on('state', ({ state }) => showState(state));
  client.on('closed', ({ reason }) => notice(`Disconnected for good${reason && reason.reason ? `: ${reason.reason}` : ''}. Reload the page to start again.`));
  client.on('error', (error) => notice(error.message));
  $('login').hidden = true;
  $('chat').hidden = false;
  $('room-id').focus();
  client.connect().catch((error) => notice(error.message));
}

function addItem(roomId, item) {
  const entry = rooms.get(roomId);
  if (!entry || entry.items.some((i) => i.seq === item.seq && item.seq !== undefined)) return;
  entry.items.push(item);
  if (roomId === current) renderItem(item);
}

function renderItem(item) {
  const li = document.createElement('li');
  if (item.seq !== undefined) li.dataset.seq = String(item.seq);
  li.dataset.kind = item.kind;
  if (item.kind === 'message') {
    const from = document.createElement('span');
    from.className = 'from';
    from.textContent = item.from;
    li.append(from, document.createTextNode(item.text));
  } else {
    li.className = 'system';
    li.textContent = item.text;
  }
  if (item.seq !== undefined) {
    const seq = document.createElement('span');
    seq.className = 'seq';
    seq.textContent = `#${item.seq}`;
    li.append(seq);
  }
  const list = $('messages');
  list.append(li);
  list.scrollTop = list.scrollHeight;
}

function renderRoom() {
  const entry = rooms.get(current);
  $('room-title').textContent = entry ? `Room ${current}` : 'No room yet: join or create one';
  $('messages').replaceChildren();
  if (entry) entry.items.forEach(renderItem);
  renderMembers();
  renderRoomList();
  const usable = Boolean(entry && entry.room.state !== 'left');
  $('text').disabled = !usable;
  $('send').disabled = !usable;
}

function renderMembers() {
  const entry = rooms.get(current);
  const list = $('members');
  list.replaceChildren();
  // A quiet room (past the server's presence limit) announces no joins or leaves: its count is
  // the one the join gave, and the list is what "Show more" pages.
  const quiet = entry && entry.room.presence === false ? ', as of your join' : '';
  $('members-title').textContent = entry ? `Members (${entry.room.memberCount}${quiet})` : 'Members';
  if (!entry) return;
  // A join lists a large room's first 100 members; "Show more" pages the rest (in join order),
  // kept apart from the ones the library follows, and dropped again when they leave.
  const shown = new Map(entry.room.members);
  for (const [id, member] of entry.more) if (!shown.has(id)) shown.set(id, member);
  for (const member of shown.values()) {
    const li = document.createElement('li');
    li.textContent = member.username;
    list.append(li);
  }
  const next = entry.moreNext === undefined ? entry.room.membersNext : entry.moreNext;
  if (next !== null && next !== undefined) {
    const li = document.createElement('li');
    const button = document.createElement('button');
    button.type = 'button';
    button.id = 'more-members';
    button.textContent = `Show more (${Math.max(0, entry.room.memberCount - shown.size)} not shown)`;
    button.addEventListener('click', () => {
      button.disabled = true;
      entry.room
        .listMembers({ after: next, limit: 100 })
        .then((page) => {
          for (const m of page.members) entry.more.set(m.connectionId, m);
          entry.moreNext = page.next;
          if (rooms.get(current) === entry) renderMembers();
        })
        .catch((e) => {
          notice(`Could not list more members: ${e.message}`);
          button.disabled = false;
        });
    });
    li.append(button);
    list.append(li);
  }
}

function renderRoomList() {
  const list = $('rooms');
  list.replaceChildren();
  for (const roomId of rooms.keys()) {
    const li = document.createElement('li');
    const button = document.createElement('button');
    button.type = 'button';
    button.textContent = roomId;
    button.setAttribute('aria-current', String(roomId === current));
    button.addEventListener('click', () => {
      current = roomId;
      renderRoom();
      $('text').focus();
    });
    li.append(button);
    list.append(li);
  }
}

function follow(room, how) {
  const roomId = room.id;
  rooms.set(roomId, { room, items: [], more: new Map(), moreNext: undefined });
  for (const m of room.history || []) {
    addItem(roomId, { seq: m.seq, kind: 'message', from: m.from, text: m.text });
  }
  // This client's own join is an event of the room too (the library delivers it to nobody): shown,
  // so the seqs on screen run without a hole from here on.
  addItem(roomId, { seq: room.lastSeq, kind: 'joined', text: how === 'created' ? 'You created this room' : 'You joined' });
  room.on('message', (m) => addItem(roomId, { seq: m.seq, kind: 'message', from: m.from, text: m.text }));
  room.on('memberJoined', (m) => {
    addItem(roomId, { seq: m.seq, kind: 'joined', text: `${m.username} joined` });
    if (roomId === current) renderMembers();
  });
  room.on('memberLeft', (m) => {
    rooms.get(roomId).more.delete(m.connectionId);
    addItem(roomId, { seq: m.seq, kind: 'left', text: `${m.username} left (${m.reason})` });
    if (roomId === current) renderMembers();
  });
  // A rejoin after a reconnect: an event with its own seq, which the other members see as memberJoined.
  room.on('joined', (j) => {
    addItem(roomId, { seq: j.seq, kind: 'joined', text: 'You are back after a reconnect' });
    if (roomId === current) renderMembers();
  });
  room.on('gap', ({ fromSeq, toSeq }) =>
    addItem(roomId, { kind: 'gap', text: `Events ${fromSeq} to ${toSeq} are no longer kept by the server and are missing here.` }));
  room.on('left', ({ reason }) => {
    addItem(roomId, { kind: 'left', text: `You are no longer in this room (${reason}).` });
    if (roomId === current) renderRoom();
  });
  current = roomId;
  $('room-id').value = '';
  renderRoom();
  $('text').focus();
}

$('login-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const name = $('name').value.trim();
  if (!name) return;
  notice('');
  devToken(name)
    .then((first) => {
      let token = first;
      start({
        // The first token was fetched already; later connections and refreshes ask again.
        getToken: async () => {
          const next = token || (await devToken(name));
          token = null;
          return next;
        },
      });
    })
    .catch((error) => notice(error.message));
});

$('join-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const roomId = $('room-id').value.trim();
  if (!roomId) return notice('Type a room id to join, or press Create.');
  if (rooms.has(roomId)) {
    current = roomId;
    return renderRoom();
  }
  notice('');
  client.join(roomId).then((room) => follow(room, 'joined'), (error) => notice(`${roomId}: ${error.message}`));
});

$('create').addEventListener('click', () => {
  const roomId = $('room-id').value.trim() || undefined;
  notice('');
  client.createRoom({ roomId }).then((room) => follow(room, 'created'), (error) => notice(error.message));
});

$('send-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const entry = rooms.get(current);
  const text = $('text').value;
  if (!entry || !text.trim()) return;
  $('text').value = '';
  const room = entry.room;
  const showPending = () => {
    const n = room.pendingSends;
    $('pending').textContent = n ? `sending ${n}…` : '';
  };
  room.send(text).then(showPending, (error) => {
    notice(`Not sent: ${error.message}`);
    showPending();
  });
  showPending();
});

showState('idle');
if (params.get('token')) {
  // A token from the application (production): the name is the token's.
  start({ token: params.get('token') });
}
