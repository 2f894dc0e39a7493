// The agent console: sign in as anyone (local mode), see contacts' presence, chat one-to-one.
// Everything about the connection (reconnects, resume, dedupe, acks) is the SDK's job.
import { SwitchboardClient, type Message, type StateChange, type SwitchboardError } from '@switchboard/client';

interface ChatEntry {
  dir: 'in' | 'out';
  text: string;
  ts: number;
  /** Outgoing: sending → sent (acked) | failed. */
  state?: 'sending' | 'sent' | 'failed';
  detail?: string;
  /** Incoming message that arrived while this console was offline. */
  whileAway?: boolean;
}

interface Contact {
  name: string;
  online: boolean | undefined;
  unread: number;
  entries: ChatEntry[];
}

const HISTORY_LIMIT = 200;
const POLL_MS = 2000;
const USER_PATTERN = /^[A-Za-z0-9._@:-]{1,128}$/;

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const statusEl = $<HTMLParagraphElement>('status');
const loginSection = $<HTMLElement>('login');
const loginForm = $<HTMLFormElement>('login-form');
const loginUser = $<HTMLInputElement>('login-user');
const loginError = $<HTMLParagraphElement>('login-error');
const workspace = $<HTMLDivElement>('workspace');
const account = $<HTMLDivElement>('account');
const whoami = $<HTMLSpanElement>('whoami');
const contactList = $<HTMLUListElement>('contacts');
const addContactForm = $<HTMLFormElement>('add-contact');
const contactName = $<HTMLInputElement>('contact-name');
const presenceMode = $<HTMLParagraphElement>('presence-mode');
const chatTitle = $<HTMLHeadingElement>('chat-title');
const messageList = $<HTMLOListElement>('messages');
const composer = $<HTMLFormElement>('composer');
const messageText = $<HTMLInputElement>('message-text');
const sendButton = composer.querySelector('button') as HTMLButtonElement;
const announcer = $<HTMLParagraphElement>('announcer');

let client: SwitchboardClient | undefined;
let me = '';
let node = '';
let selected: string | undefined;
let openedAt = 0;
let pollTimer: number | undefined;
const contacts = new Map<string, Contact>();

// ------------------------------------------------------------------ signing in

interface DevToken {
  token: string;
  user: string;
  expiresAt: number;
  node?: string;
}

let cachedToken: DevToken | undefined;

/** A development token from this gateway; reused until 5 minutes before it expires. */
async function token(user: string): Promise<string> {
  if (cachedToken && cachedToken.user === user && cachedToken.expiresAt - Date.now() > 5 * 60_000) {
    return cachedToken.token;
  }
  const response = await fetch('/dev/token', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ user }),
  });
  if (!response.ok) {
    const problem = (await response.json().catch(() => ({}))) as { message?: string };
    throw new Error(
      response.status === 404
        ? 'this gateway is not in local mode (no /dev/token)'
        : (problem.message ?? `HTTP ${response.status}`),
    );
  }
  cachedToken = (await response.json()) as DevToken;
  node = cachedToken.node ?? '';
  return cachedToken.token;
}

async function signIn(user: string): Promise<void> {
  loginError.textContent = '';
  try {
    await token(user);
  } catch (error) {
    loginError.textContent = `Could not sign in: ${(error as Error).message}`;
    return;
  }
  me = user;
  sessionStorage.setItem('switchboard.console.user', user);
  loadContacts();
  whoami.textContent = node ? `${me} · node ${node}` : me;
  loginSection.hidden = true;
  workspace.hidden = false;
  account.hidden = false;

  client = new SwitchboardClient({ url: '/ws', token: () => token(user), user });
  client.on('state', onState);
  client.on('message', onMessage);
  client.on('presence', (p) => setOnline(p.user, p.online));
  client.on('error', onClientError);
  client.subscribe([...contacts.keys()]);
  client.connect();
  renderContacts();
  renderChat();
  (contacts.size > 0 ? contactList.querySelector('button') : contactName)?.focus();
}

function signOut(): void {
  client?.close();
  client = undefined;
  stopPolling();
  sessionStorage.removeItem('switchboard.console.user');
  cachedToken = undefined;
  contacts.clear();
  selected = undefined;
  me = '';
  workspace.hidden = true;
  account.hidden = true;
  loginSection.hidden = false;
  setStatus('idle', 'Signed out');
  loginUser.focus();
}

// ------------------------------------------------------------------ connection state and presence

function onState(change: StateChange): void {
  switch (change.state) {
    case 'connecting':
      setStatus('connecting', 'Connecting…');
      break;
    case 'open':
      openedAt = Date.now();
      setStatus('open', 'Online');
      statusEl.dataset.resume = String(client?.resumeSupported ?? false);
      // Servers without presence frames answer the subscription with an error; if one says
      // nothing either way, do not leave the contact list blank: poll until frames arrive.
      window.setTimeout(() => {
        if (client?.presenceSupport !== 'yes') {
          startPolling();
        }
      }, 1500);
      break;
    case 'waiting': {
      const seconds = Math.max(1, Math.round((change.retryInMs ?? 0) / 1000));
      setStatus('waiting', `Offline — reconnecting in ${seconds} s`);
      break;
    }
    default:
      setStatus(change.state, change.state === 'closed' ? 'Signed out' : 'Not connected');
  }
}

function setStatus(state: string, text: string): void {
  statusEl.dataset.state = state;
  statusEl.textContent = text;
}

function onClientError(error: SwitchboardError): void {
  if (error.code === 'presence_unsupported') {
    startPolling();
  } else if (error.code !== 'token') {
    console.warn('switchboard:', error.code, error.message);
  }
}

function startPolling(): void {
  if (pollTimer !== undefined) {
    return;
  }
  presenceMode.textContent = 'Presence: polled every 2 s (this server has no presence frames).';
  void poll();
  pollTimer = window.setInterval(() => void poll(), POLL_MS);
}

function stopPolling(): void {
  window.clearInterval(pollTimer);
  pollTimer = undefined;
  presenceMode.textContent = '';
}

async function poll(): Promise<void> {
  const names = [...contacts.keys()];
  if (names.length === 0 || client?.presenceSupport === 'yes') {
    if (client?.presenceSupport === 'yes') {
      stopPolling();
    }
    return;
  }
  try {
    const response = await fetch(`/dev/presence?users=${encodeURIComponent(names.slice(0, 100).join(','))}`);
    if (response.ok) {
      for (const p of (await response.json()) as Array<{ user: string; online: boolean }>) {
        setOnline(p.user, p.online);
      }
    }
  } catch {
    // The node is unreachable; the connection state already says so.
  }
}

function setOnline(user: string, online: boolean): void {
  const contact = contacts.get(user);
  if (!contact || contact.online === online) {
    return;
  }
  const changed = contact.online !== undefined;
  contact.online = online;
  renderContacts();
  if (changed) {
    announce(`${user} is ${online ? 'online' : 'offline'}`);
  }
}

// ------------------------------------------------------------------ contacts and messages

function storageKey(): string {
  return `switchboard.console.${me}`;
}

function loadContacts(): void {
  contacts.clear();
  try {
    const saved = JSON.parse(localStorage.getItem(storageKey()) ?? '[]') as Array<{ name: string; entries: ChatEntry[] }>;
    for (const c of saved) {
      contacts.set(c.name, { name: c.name, online: undefined, unread: 0, entries: c.entries ?? [] });
    }
  } catch {
    // A damaged history is dropped, not fatal.
  }
}

function saveContacts(): void {
  const data = [...contacts.values()].map((c) => ({
    name: c.name,
    entries: c.entries.slice(-HISTORY_LIMIT).map((e) => (e.state === 'sending' ? { ...e, state: 'failed', detail: 'not confirmed' } : e)),
  }));
  try {
    localStorage.setItem(storageKey(), JSON.stringify(data));
  } catch {
    // Storage full: history is a convenience.
  }
}

function addContact(name: string): Contact {
  let contact = contacts.get(name);
  if (!contact) {
    contact = { name, online: undefined, unread: 0, entries: [] };
    contacts.set(name, contact);
    client?.subscribe([name]);
    saveContacts();
    if (pollTimer !== undefined) {
      void poll();
    }
  }
  return contact;
}

function onMessage(message: Message): void {
  const contact = addContact(message.from);
  contact.entries.push({
    dir: 'in',
    text: textOf(message.body),
    ts: message.ts,
    // Accepted (server clock) before this console connected (its clock): stored, then replayed.
    // A client clock far ahead of the server's would label a few live messages too; it is a hint.
    whileAway: message.ts < openedAt,
  });
  if (selected !== contact.name || document.visibilityState !== 'visible') {
    contact.unread++;
    announce(`New message from ${contact.name}`);
  }
  saveContacts();
  renderContacts();
  if (selected === contact.name) {
    appendEntry(contact.entries[contact.entries.length - 1]!);
  }
}

function textOf(body: unknown): string {
  if (body && typeof body === 'object' && typeof (body as { text?: unknown }).text === 'string') {
    return (body as { text: string }).text;
  }
  return JSON.stringify(body);
}

function sendCurrent(): void {
  const text = messageText.value.trim();
  const to = selected;
  if (!text || !to || !client) {
    return;
  }
  const contact = addContact(to);
  const entry: ChatEntry = { dir: 'out', text, ts: Date.now(), state: 'sending' };
  contact.entries.push(entry);
  messageText.value = '';
  const item = appendEntry(entry);
  client.send(to, { text }).then(
    () => {
      entry.state = 'sent';
      updateEntry(item, entry);
      saveContacts();
    },
    (error: SwitchboardError) => {
      entry.state = 'failed';
      entry.detail = error.code;
      updateEntry(item, entry);
      saveContacts();
    },
  );
  saveContacts();
}

function select(name: string): void {
  selected = name;
  const contact = contacts.get(name);
  if (contact) {
    contact.unread = 0;
  }
  renderContacts();
  renderChat();
  messageText.focus();
}

// ------------------------------------------------------------------ rendering

function renderContacts(): void {
  contactList.replaceChildren(
    ...[...contacts.values()].map((c) => {
      const li = document.createElement('li');
      li.dataset.user = c.name;
      li.dataset.online = String(c.online === true);
      const button = document.createElement('button');
      button.type = 'button';
      button.setAttribute('aria-current', String(c.name === selected));
      const dot = document.createElement('span');
      dot.className = 'dot';
      dot.dataset.online = String(c.online === true);
      dot.setAttribute('aria-hidden', 'true');
      const name = document.createElement('span');
      name.textContent = c.name;
      const presence = document.createElement('span');
      presence.className = 'presence-text';
      presence.textContent = c.online === undefined ? '…' : c.online ? 'online' : 'offline';
      button.append(dot, name, presence);
      if (c.unread > 0) {
        const unread = document.createElement('span');
        unread.className = 'unread';
        unread.textContent = String(c.unread);
        unread.setAttribute('aria-label', `${c.unread} unread`);
        button.append(unread);
      }
      button.addEventListener('click', () => select(c.name));
      li.append(button);
      return li;
    }),
  );
}

function renderChat(): void {
  const contact = selected ? contacts.get(selected) : undefined;
  chatTitle.textContent = contact ? `Chat with ${contact.name}` : 'Choose a contact';
  messageText.disabled = sendButton.disabled = !contact;
  messageList.replaceChildren();
  contact?.entries.forEach((e) => appendEntry(e));
}

function appendEntry(entry: ChatEntry): HTMLLIElement {
  const li = document.createElement('li');
  updateEntry(li, entry);
  messageList.append(li);
  li.scrollIntoView({ block: 'nearest' });
  return li;
}

function updateEntry(li: HTMLLIElement, entry: ChatEntry): void {
  li.dataset.dir = entry.dir;
  if (entry.state) {
    li.dataset.state = entry.state;
  }
  const text = document.createElement('span');
  text.className = 'text';
  text.textContent = entry.text;
  const meta = document.createElement('span');
  meta.className = 'meta';
  const time = new Date(entry.ts).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  const parts = [entry.dir === 'in' ? `${selected ?? ''}, ${time}` : `you, ${time}`];
  if (entry.whileAway) {
    parts.push('arrived while you were offline');
  }
  if (entry.state === 'sending') {
    parts.push('sending…');
  } else if (entry.state === 'sent') {
    parts.push('sent ✓');
  } else if (entry.state === 'failed') {
    parts.push(`not sent (${entry.detail ?? 'error'})`);
  }
  meta.textContent = parts.join(' · ');
  li.replaceChildren(text, meta);
}

function announce(text: string): void {
  announcer.textContent = text;
}

// ------------------------------------------------------------------ wiring

loginForm.addEventListener('submit', (event) => {
  event.preventDefault();
  const user = loginUser.value.trim();
  if (USER_PATTERN.test(user)) {
    void signIn(user);
  } else {
    loginError.textContent = 'Use 1–128 letters, digits or . _ - @ :';
  }
});

addContactForm.addEventListener('submit', (event) => {
  event.preventDefault();
  const name = contactName.value.trim();
  if (!USER_PATTERN.test(name) || name === me) {
    contactName.setCustomValidity(name === me ? 'That is you' : 'Use 1–128 letters, digits or . _ - @ :');
    contactName.reportValidity();
    return;
  }
  contactName.setCustomValidity('');
  contactName.value = '';
  addContact(name);
  select(name);
});
contactName.addEventListener('input', () => contactName.setCustomValidity(''));

composer.addEventListener('submit', (event) => {
  event.preventDefault();
  sendCurrent();
});

$<HTMLButtonElement>('sign-out').addEventListener('click', signOut);

const remembered = sessionStorage.getItem('switchboard.console.user');
if (remembered && USER_PATTERN.test(remembered)) {
  void signIn(remembered);
} else {
  loginUser.focus();
}
