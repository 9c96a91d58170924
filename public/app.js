// A small test client for the chat service (no framework, no build step). It talks to the public contract only:
// REST under /api for accounts, rooms and history, and the WebSocket at /ws for live events, sends and typing.
// Everything user-provided is rendered with textContent, never as HTML. Files (issue #16) are uploaded with
// multipart POST /api/files and fetched with the access token into blob: URLs (an <img src> cannot send the token,
// and tokens never go in URLs); the page's CSP allows img-src 'self' data: blob: and no inline script.

const $ = (selector) => document.querySelector(selector);
const session = {
  accessToken: sessionStorage.getItem('accessToken'),
  refreshToken: sessionStorage.getItem('refreshToken'),
  user: JSON.parse(sessionStorage.getItem('user') ?? 'null'),
};
const names = new Map(); // userId -> username
let socket;
let reconnectDelay = 500;
let current; // { roomId, lastSeq, messages: Map<seq, li> }
let lastTypingSent = 0;
let attached = []; // files uploaded for the next message: [{fileId, name}]
const blobUrls = new Map(); // file url -> blob: URL, fetched once per page
const typingTimers = new Map();

async function api(method, path, body, retried = false) {
  const headers = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (session.accessToken) headers.authorization = `Bearer ${session.accessToken}`;
  const response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const data = response.status === 204 ? undefined : await response.json();
  if (response.status === 401 && !retried && session.refreshToken && path !== '/api/auth/refresh') {
    if (await refresh()) return api(method, path, body, true);
  }
  if (!response.ok) throw Object.assign(new Error(data?.error?.message ?? response.statusText), { code: data?.error?.code });
  return data;
}

async function refresh() {
  try {
    const pair = await api('POST', '/api/auth/refresh', { refreshToken: session.refreshToken }, true);
    remember(pair);
    return true;
  } catch {
    signOut();
    return false;
  }
}

function remember(pair) {
  session.accessToken = pair.accessToken;
  session.refreshToken = pair.refreshToken;
  session.user = pair.user;
  sessionStorage.setItem('accessToken', pair.accessToken);
  sessionStorage.setItem('refreshToken', pair.refreshToken);
  sessionStorage.setItem('user', JSON.stringify(pair.user));
}

function signOut() {
  sessionStorage.clear();
  session.accessToken = session.refreshToken = session.user = null;
  socket?.close(1000);
  socket = undefined;
  $('#chat').hidden = true;
  $('#signin').hidden = false;
}

$('#auth-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const form = new FormData(event.target);
  const credentials = { username: form.get('username'), password: form.get('password') };
  $('#auth-error').textContent = '';
  try {
    if (event.submitter?.value === 'register') await api('POST', '/api/auth/register', credentials);
    remember(await api('POST', '/api/auth/login', credentials));
    await enter();
  } catch (error) {
    $('#auth-error').textContent = `${error.code ?? 'ERROR'}: ${error.message}`;
  }
});

$('#logout').addEventListener('click', async () => {
  await api('POST', '/api/auth/logout').catch(() => undefined);
  signOut();
});

$('#new-room').addEventListener('submit', async (event) => {
  event.preventDefault();
  const form = new FormData(event.target);
  try {
    const { room } = await api('POST', '/api/chat/rooms', { name: form.get('name'), kind: form.get('kind') });
    event.target.reset();
    await loadRooms();
    await openRoom(room.roomId);
  } catch (error) {
    $('#room-error').textContent = `${error.code}: ${error.message}`;
  }
});

$('#composer').addEventListener('submit', (event) => {
  event.preventDefault();
  const input = event.target.elements.text;
  if (!current || (!input.value.trim() && attached.length === 0)) return;
  const frame = { type: 'chat.send', roomId: current.roomId, text: input.value, clientMessageId: crypto.randomUUID() };
  if (attached.length > 0) frame.attachments = attached.map((file) => file.fileId);
  send(frame);
  input.value = '';
  attached = [];
  $('#attached').textContent = '';
});

$('#composer').elements.file.addEventListener('change', async (event) => {
  const [chosen] = event.target.files;
  event.target.value = '';
  if (!chosen) return;
  $('#room-error').textContent = '';
  $('#attached').textContent = `uploading ${chosen.name}…`;
  try {
    const { file } = await upload(chosen);
    attached.push(file);
    $('#attached').textContent = attached.map((one) => one.name).join(', ');
  } catch (error) {
    $('#attached').textContent = attached.map((one) => one.name).join(', ');
    $('#room-error').textContent = `${error.code ?? 'ERROR'}: ${error.message}`;
  }
});

/** One file as multipart/form-data, part `file`: the server sniffs its type from the bytes. */
async function upload(file, retried = false) {
  const form = new FormData();
  form.append('file', file, file.name);
  const response = await fetch('/api/files', { method: 'POST', headers: { authorization: `Bearer ${session.accessToken}` }, body: form });
  const data = await response.json();
  if (response.status === 401 && !retried && (await refresh())) return upload(file, true);
  if (!response.ok) throw Object.assign(new Error(data?.error?.message ?? response.statusText), { code: data?.error?.code });
  return data;
}

/** A file's bytes as a blob: URL, fetched with the token (once per URL). */
async function blobUrlOf(url) {
  if (!blobUrls.has(url)) {
    blobUrls.set(
      url,
      fetch(url, { headers: { authorization: `Bearer ${session.accessToken}` } }).then(async (response) => {
        if (!response.ok) throw new Error(`${response.status}`);
        return URL.createObjectURL(await response.blob());
      }),
    );
  }
  return blobUrls.get(url);
}

/** A message's files: images as their thumbnails (click for the full image), other files as download links. */
function renderAttachments(item, attachments) {
  item.querySelector('.files')?.remove();
  if (!attachments || attachments.length === 0) return;
  const box = document.createElement('div');
  box.className = 'files';
  for (const file of attachments) {
    if (file.erased) {
      const gone = document.createElement('span');
      gone.className = 'muted';
      gone.textContent = '[file erased]';
      box.append(gone);
    } else if (file.thumbnailUrl) {
      const image = document.createElement('img');
      image.alt = file.name;
      image.className = 'attachment';
      if (file.width && file.height) Object.assign(image, { width: Math.min(320, file.width) });
      blobUrlOf(file.thumbnailUrl).then((src) => (image.src = src)).catch(() => (image.alt = `${file.name} (unavailable)`));
      image.addEventListener('click', () => blobUrlOf(file.url).then((src) => window.open(src, '_blank', 'noopener')));
      box.append(image);
    } else {
      const link = document.createElement('a');
      link.href = '#';
      link.textContent = `📄 ${file.name} (${Math.ceil(file.size / 1024)} KiB)`;
      link.addEventListener('click', async (event) => {
        event.preventDefault();
        const save = document.createElement('a');
        save.href = await blobUrlOf(file.url);
        save.download = file.name;
        save.click();
      });
      box.append(link);
    }
  }
  item.append(box);
}

$('#composer').elements.text.addEventListener('input', () => {
  const now = Date.now();
  if (current && now - lastTypingSent > 2000) {
    lastTypingSent = now;
    send({ type: 'chat.typing', roomId: current.roomId });
  }
});

async function enter() {
  $('#signin').hidden = true;
  $('#chat').hidden = false;
  $('#me').textContent = session.user.username;
  names.set(session.user.userId, session.user.username);
  connect();
  await Promise.all([loadRooms(), loadIdentities()]);
}

// Sign-in with providers (issue #18). The service's callback sends the browser back here with `?code=` (a one-time
// code to exchange for tokens) or, after linking, `?linked=<provider>`; either is taken out of the address bar at
// once. Tokens never travel in a URL.
let providers = [];

async function loadProviders() {
  try {
    providers = (await api('GET', '/api/auth/providers')).providers;
  } catch {
    providers = [];
  }
  const buttons = $('#provider-buttons');
  buttons.replaceChildren(
    ...providers.map((provider) => {
      const link = document.createElement('a');
      link.className = 'button';
      link.href = `/api/auth/oauth/${encodeURIComponent(provider.id)}/start`;
      link.dataset.provider = provider.id;
      link.textContent = `Sign in with ${provider.name}`;
      return link;
    }),
  );
  $('#providers').hidden = providers.length === 0;
}

async function loadIdentities() {
  $('#sign-in-methods').hidden = providers.length === 0;
  if (providers.length === 0) return;
  const { identities } = await api('GET', '/api/auth/identities');
  const linked = new Set(identities.map((identity) => identity.provider));
  $('#identities').replaceChildren(
    ...providers.map((provider) => {
      const item = document.createElement('li');
      const name = document.createElement('span');
      name.textContent = provider.name;
      const button = document.createElement('button');
      button.className = 'link';
      button.dataset.provider = provider.id;
      button.textContent = linked.has(provider.id) ? 'Unlink' : 'Link';
      button.addEventListener('click', () => (linked.has(provider.id) ? unlink(provider) : link(provider)));
      item.append(name, button);
      return item;
    }),
  );
}

async function link(provider) {
  try {
    // The answer also sets the sign-in cookie for the callback; then the browser goes to the provider.
    const { url } = await api('POST', `/api/auth/identities/${encodeURIComponent(provider.id)}/start`);
    location.assign(url);
  } catch (error) {
    $('#identity-message').textContent = `${error.code}: ${error.message}`;
  }
}

async function unlink(provider) {
  try {
    await api('DELETE', `/api/auth/identities/${encodeURIComponent(provider.id)}`);
    $('#identity-message').textContent = `${provider.name} unlinked`;
    await loadIdentities();
  } catch (error) {
    $('#identity-message').textContent = `${error.code}: ${error.message}`;
  }
}

/** The callback's answer in the address bar: exchanged (a code) or reported (a link), then removed from it. */
async function returnFromProvider() {
  const params = new URLSearchParams(location.search);
  const code = params.get('code');
  const linked = params.get('linked');
  if (code === null && linked === null) return false;
  history.replaceState(null, '', location.pathname);
  if (linked !== null) {
    $('#identity-message').textContent = `${linked} linked`;
    return false;
  }
  try {
    remember(await api('POST', '/api/auth/oauth/exchange', { code }));
    return true;
  } catch (error) {
    $('#auth-error').textContent = `${error.code ?? 'ERROR'}: ${error.message}`;
    return false;
  }
}

async function loadRooms() {
  const [mine, open] = await Promise.all([api('GET', '/api/chat/rooms'), api('GET', '/api/chat/rooms?scope=public')]);
  const myIds = new Set(mine.rooms.map((room) => room.roomId));
  renderRooms($('#rooms'), mine.rooms);
  renderRooms($('#public-rooms'), open.rooms.filter((room) => !myIds.has(room.roomId)));
}

function renderRooms(list, rooms) {
  list.replaceChildren(
    ...rooms.map((room) => {
      const item = document.createElement('li');
      item.dataset.roomId = room.roomId;
      item.classList.toggle('active', current?.roomId === room.roomId);
      const label = document.createElement('span');
      label.textContent = room.kind === 'direct' ? 'direct message' : room.name;
      item.append(label);
      if (room.unreadCount > 0) {
        const badge = document.createElement('span');
        badge.className = 'unread';
        badge.textContent = String(room.unreadCount);
        item.append(badge);
      }
      item.addEventListener('click', () => openRoom(room.roomId));
      return item;
    }),
  );
}

async function openRoom(roomId) {
  $('#room-error').textContent = '';
  let { room } = await api('GET', `/api/chat/rooms/${encodeURIComponent(roomId)}`);
  if (room.myRole === null && room.kind === 'public') ({ room } = await api('POST', `/api/chat/rooms/${encodeURIComponent(roomId)}/join`));
  const { members } = await api('GET', `/api/chat/rooms/${encodeURIComponent(roomId)}/members`);
  for (const member of members) names.set(member.userId, member.username);
  const page = await api('GET', `/api/chat/rooms/${encodeURIComponent(roomId)}/messages?limit=50`);
  current = { roomId, lastSeq: 0, messages: new Map() };
  $('#room').hidden = false;
  $('#room-name').textContent = room.name;
  $('#room-members').textContent = `${members.length} member${members.length === 1 ? '' : 's'}`;
  $('#messages').replaceChildren();
  for (const message of page.messages) showMessage(message);
  // Live from where the history page ended: the gateway replays anything newer first, so nothing is missed.
  current.lastSeq = Math.max(current.lastSeq, room.headSeq);
  subscribe();
  markRead();
  await loadRooms();
}

function showMessage(message) {
  let item = current.messages.get(message.seq);
  if (!item) {
    item = document.createElement('li');
    item.dataset.seq = String(message.seq);
    const who = document.createElement('span');
    who.className = 'who';
    const text = document.createElement('span');
    text.className = 'text';
    item.append(who, text);
    current.messages.set(message.seq, item);
    $('#messages').append(item);
  }
  item.querySelector('.who').textContent = names.get(message.senderId) ?? message.senderId.slice(0, 8);
  item.classList.toggle('deleted', message.deleted);
  item.classList.toggle('erased', message.erased === true);
  item.querySelector('.text').textContent = message.deleted
    ? 'message deleted'
    : message.erased
      ? '[erased]'
      : message.text + (message.editedAt ? ' (edited)' : '');
  renderAttachments(item, message.deleted ? [] : message.attachments);
  current.lastSeq = Math.max(current.lastSeq, message.seq);
  $('#messages').scrollTop = $('#messages').scrollHeight;
}

function showSystem(seq, text) {
  const item = document.createElement('li');
  item.className = 'system';
  item.textContent = text;
  $('#messages').append(item);
  current.lastSeq = Math.max(current.lastSeq, seq);
}

function connect() {
  const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`;
  socket = new WebSocket(url);
  socket.addEventListener('open', () => socket.send(JSON.stringify({ type: 'auth', token: session.accessToken })));
  socket.addEventListener('message', (event) => onFrame(JSON.parse(event.data)));
  socket.addEventListener('close', async (event) => {
    $('#status').textContent = 'offline';
    $('#status').classList.remove('online');
    if (!session.accessToken) return;
    if (event.code === 4003 && !(await refresh())) return;
    setTimeout(connect, reconnectDelay);
    reconnectDelay = Math.min(reconnectDelay * 2, 10_000);
  });
}

function send(frame) {
  if (socket?.readyState === WebSocket.OPEN) socket.send(JSON.stringify(frame));
  else $('#room-error').textContent = 'not connected; retrying…';
}

function subscribe() {
  if (current) send({ type: 'room.subscribe', roomId: current.roomId, afterSeq: current.lastSeq });
}

function markRead() {
  if (current && current.lastSeq > 0) send({ type: 'chat.read', roomId: current.roomId, seq: current.lastSeq });
}

function onFrame(frame) {
  switch (frame.type) {
    case 'auth.success':
      reconnectDelay = 500;
      $('#status').textContent = 'online';
      $('#status').classList.add('online');
      $('#room-error').textContent = '';
      subscribe();
      break;
    case 'ping':
      socket.send(JSON.stringify({ type: 'pong' }));
      break;
    case 'chat.event':
      if (frame.roomId === current?.roomId) onRoomEvent(frame);
      else loadRooms();
      break;
    case 'chat.typing':
      if (frame.roomId === current?.roomId) showTyping(frame.userId, frame.expiresInMs ?? 5000);
      break;
    case 'chat.error':
      $('#room-error').textContent = `${frame.code}: ${frame.message}`;
      break;
    default:
      break;
  }
}

function onRoomEvent(frame) {
  const { data } = frame;
  switch (frame.event) {
    case 'MessageSent':
      showMessage({
        seq: frame.seq,
        senderId: data.senderId,
        text: data.text,
        deleted: data.text === null,
        erased: data.erased === true,
        attachments: data.attachments,
      });
      markRead();
      break;
    case 'MessageEdited':
    case 'MessageDeleted': {
      const seq = Number(data.messageId.slice(data.messageId.lastIndexOf('.') + 1));
      const item = current.messages.get(seq);
      if (item) {
        item.classList.toggle('deleted', frame.event === 'MessageDeleted');
        if (frame.event === 'MessageDeleted') renderAttachments(item, []);
        item.querySelector('.text').textContent =
          frame.event === 'MessageDeleted' ? 'message deleted' : data.erased ? '[erased]' : `${data.text} (edited)`;
      }
      current.lastSeq = Math.max(current.lastSeq, frame.seq);
      break;
    }
    case 'MemberJoined':
      showSystem(frame.seq, `${names.get(data.userId) ?? 'someone'} joined`);
      break;
    case 'MemberLeft':
    case 'MemberRemoved':
      showSystem(frame.seq, `${names.get(data.userId) ?? 'someone'} left`);
      break;
    default:
      current.lastSeq = Math.max(current.lastSeq, frame.seq);
  }
}

function showTyping(userId, expiresInMs) {
  clearTimeout(typingTimers.get(userId));
  typingTimers.set(userId, setTimeout(() => { typingTimers.delete(userId); renderTyping(); }, expiresInMs));
  renderTyping();
}

function renderTyping() {
  const who = [...typingTimers.keys()].map((id) => names.get(id) ?? 'someone');
  $('#typing').textContent = who.length ? `${who.join(', ')} ${who.length === 1 ? 'is' : 'are'} typing…` : '';
}

async function start() {
  await loadProviders();
  await returnFromProvider();
  if (session.accessToken && session.user) await enter().catch(signOut);
}

start();
