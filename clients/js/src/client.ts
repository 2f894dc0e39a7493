import { Backoff, type BackoffOptions } from './backoff.js';
import { Emitter } from './emitter.js';
import { browserEnvironment, systemClock, type Clock, type Environment, type EnvironmentSignal } from './environment.js';
import {
  NODE_LEAVING_CODES,
  RETRYABLE_SEND_CODES,
  parseFrame,
  tokenSubject,
  type ClientFrame,
  type ErrorFrame,
  type Gap,
  type Message,
  type MsgFrame,
  type PresenceFrame,
  type PresenceUpdate,
  type WelcomeFrame,
} from './protocol.js';
import { defaultDevice, defaultSeqStore, type SeqStore } from './store.js';

/**
 * The part of the WebSocket API the client uses: the browser's `WebSocket`, the `ws` package's,
 * React Native's. Handlers are set as properties (`onmessage`, …).
 */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  // Parameters typed loosely so that every implementation's own event types fit.
  /* eslint-disable @typescript-eslint/no-explicit-any */
  onopen: ((event: any) => void) | null;
  onmessage: ((event: any) => void) | null;
  onclose: ((event: any) => void) | null;
  onerror: ((event: any) => void) | null;
  /* eslint-enable @typescript-eslint/no-explicit-any */
}

export type WebSocketConstructor = new (url: string) => WebSocketLike;

/** Returns a valid token; called before every connection attempt, so it can refresh an expiring one. */
export type TokenProvider = () => string | Promise<string>;

/**
 * - `idle`: created, `connect()` not called yet
 * - `connecting`: getting a token, opening the socket, waiting for `welcome`
 * - `open`: `welcome` received; sends go out at once, messages flow
 * - `waiting`: disconnected, the next attempt is scheduled (`retryInMs`)
 * - `closed`: `close()` was called
 */
export type ConnectionState = 'idle' | 'connecting' | 'open' | 'waiting' | 'closed';

export interface StateChange {
  state: ConnectionState;
  previous: ConnectionState;
  /** Failed attempts in a row so far. */
  attempt: number;
  /** In `waiting`: when the next attempt starts. */
  retryInMs?: number;
  /** In `waiting`: the close code of the connection that ended, if the server or transport gave one. */
  closeCode?: number;
  /** In `waiting`: why the connection ended, e.g. `liveness_timeout`, `connect_timeout`, `seq_jump`. */
  reason?: string;
}

/** What a resolved `send()` gives: the message id the server assigned. */
export interface SendResult {
  id: string;
  cid: string;
}

export interface SendOptions {
  /** Your own idempotency key (1–64 printable ASCII, unique per user for 2 days); default a random one. */
  cid?: string;
  /** Reject with `timeout` if no ack came by then. Default: no limit (the send waits through reconnects). */
  timeoutMs?: number;
}

/**
 * An error from the server (its `code`, see docs/protocol.md) or from the SDK itself: `closed`,
 * `timeout`, `too_many_pending`, `bad_request`, `frame_too_large`, `token`, `connect` (the WebSocket
 * could not be created), `store`, `seq_jump`, `server_regressed`, `presence_unsupported`,
 * `unsupported`, `disconnected`.
 */
export class SwitchboardError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly cid?: string,
  ) {
    super(message);
    this.name = 'SwitchboardError';
  }
}

export interface ClientEvents {
  /** A new message, each exactly once and in `seq` order. */
  message: (message: Message) => void;
  /** A subscribed user came online or went offline. */
  presence: (update: PresenceUpdate) => void;
  state: (change: StateChange) => void;
  /** Messages that will never come (removed by retention or the per-user cap before this device got them). */
  gap: (gap: Gap) => void;
  /** Something worth logging; the client keeps going. Send failures reject their promise instead. */
  error: (error: SwitchboardError) => void;
}

export interface ClientOptions {
  /** Gateway WebSocket URL(s), e.g. `wss://chat.example.com/ws`; several are tried in turn on reconnect. */
  url: string | readonly string[];
  /** The user token (JWT), or a function returning a fresh one before each connection attempt. */
  token: string | TokenProvider;
  /**
   * This installation's name (`A-Z a-z 0-9 . _ - @ :`, 1–128); the server keeps one delivery cursor
   * per user and device, so it must be stable and not shared with another installation. Default: in
   * browsers a random id kept in localStorage (`web-…`), elsewhere `default`.
   */
  device?: string;
  /** Whose cursor to use from the store. Default: the token's `sub` claim. */
  user?: string;
  /** WebSocket implementation; default `globalThis.WebSocket`. In Node.js 20 pass `WebSocket` from `ws`. */
  WebSocket?: WebSocketConstructor;
  /** Where the last delivered seq is kept. Default: localStorage in browsers, memory elsewhere. */
  store?: SeqStore;
  backoff?: BackoffOptions;
  /**
   * Application heartbeat: after `intervalMs` without any frame from the server the client sends
   * `ping`; if nothing arrives within `timeoutMs` the connection is taken as dead and replaced.
   * Browsers cannot see WebSocket pings, so this is how a browser notices a half-open connection.
   * Default 20 000 / 10 000 ms; `false` turns it off.
   */
  heartbeat?: { intervalMs?: number; timeoutMs?: number } | false;
  /** `recv` confirmations are batched: sent after `delayMs` or after `maxBatch` messages. Default 200 ms / 100. */
  recv?: { delayMs?: number; maxBatch?: number };
  /** How long to wait for `welcome` after starting an attempt. Default 10 000 ms. */
  connectTimeoutMs?: number;
  /** Sends waiting for their ack at most; more are rejected with `too_many_pending`. Default 1000. */
  maxPendingSends?: number;
  /**
   * The largest `send` frame (UTF-8 bytes), the server's `switchboard.gateway.max-frame-bytes`; a larger
   * one is rejected with `frame_too_large` without being sent (the server would refuse it, or close the
   * connection on every retry). Default 65 536, the server's default.
   */
  maxFrameBytes?: number;
  /**
   * How often a send answered with a retryable error (`unavailable`, `rate_limited`) is retried, with
   * backoff (0.25 s doubling to 30 s, ±50 %), before its promise rejects with that error. Default 8
   * (about a minute). Reconnects do not count: a send is sent again after every one of them.
   */
  sendRetries?: number;
  /** A connection that lasted this long resets the backoff. Default 5000 ms. */
  stableAfterMs?: number;
  /** Online/visibility signals; default the browser's; `null` for none. */
  environment?: Environment | null;
  /** For tests. */
  clock?: Clock;
  /** For tests: source of jitter. */
  random?: () => number;
}

interface PendingSend {
  cid: string;
  to: string;
  /** The `send` frame as measured against `maxFrameBytes`, sent as it is on every try. */
  frame: string;
  resolve: (result: SendResult) => void;
  reject: (error: SwitchboardError) => void;
  retries: number;
  retryTimer?: unknown;
  deadline?: unknown;
}

const OPEN = 1;
const MAX_REMEMBERED_IDS = 2048;
const DEVICE_PATTERN = /^[A-Za-z0-9._\-@:]{1,128}$/;
const CID_PATTERN = /^[\x20-\x7e]{1,64}$/;

/**
 * A Switchboard connection that stays up: it reconnects with backoff and jitter, resumes after the
 * last message it delivered, delivers each message once and in order, confirms receipt, and sends
 * unacknowledged sends again with the same `cid` after every reconnect (and up to `sendRetries`
 * times after a retryable error; then `send()` rejects with an error that carries the `cid`).
 *
 * ```ts
 * const client = new SwitchboardClient({ url: 'wss://chat.example.com/ws', token: getToken });
 * client.on('message', (m) => show(m));
 * client.connect();
 * const { id } = await client.send('bob', { text: 'hello' });
 * ```
 */
export class SwitchboardClient {
  private readonly events: Emitter<ClientEvents>;
  private readonly urls: readonly string[];
  private readonly device: string;
  private readonly WebSocketImpl: WebSocketConstructor;
  private readonly store: SeqStore;
  private readonly backoff: Backoff;
  private readonly clock: Clock;
  private readonly random: () => number;
  private readonly environment: Environment | undefined;
  private readonly heartbeatIntervalMs: number;
  private readonly heartbeatTimeoutMs: number;
  private readonly heartbeatEnabled: boolean;
  private readonly recvDelayMs: number;
  private readonly recvMaxBatch: number;
  private readonly connectTimeoutMs: number;
  private readonly maxPendingSends: number;
  private readonly maxFrameBytes: number;
  private readonly sendRetries: number;
  private readonly stableAfterMs: number;

  private current: ConnectionState = 'idle';
  private socket: WebSocketLike | undefined;
  /** Bumped whenever an attempt or connection is superseded, so late callbacks of the old one do nothing. */
  private generation = 0;
  private urlIndex = 0;
  private welcomeFrame: WelcomeFrame | undefined;
  private openedAt: number | undefined;
  private stopEnvironment: (() => void) | undefined;

  private connectTimer: unknown;
  private reconnectTimer: unknown;
  private idleTimer: unknown;
  private probeTimer: unknown;
  private recvTimer: unknown;
  private lastHeard = 0;

  private storeKey: string | undefined;
  /** Highest seq handed to the application (or known to be skipped); undefined until known. */
  private lastSeqValue: number | undefined;
  private confirmedSeq = 0;
  private unconfirmed = 0;
  /** Whether the server speaks resume (`after`, `recv`, `sync`, `gap`): its welcome carries `after`. */
  private resume = false;
  /**
   * This connection's resume point (`welcome.after`) until its first `msg`: the server replays only
   * what follows it, so a first `msg` at or below it means the server lost messages it had counted.
   */
  private resumedAfter: number | undefined;
  private readonly seenIds = new Set<string>();

  private readonly pending = new Map<string, PendingSend>();
  private syncWaiters: Array<{ resolve: (upTo: number) => void; reject: (e: SwitchboardError) => void }> = [];

  private readonly subscriptions = new Set<string>();
  private readonly presence = new Map<string, PresenceUpdate>();
  private presenceFrames: 'unknown' | 'yes' | 'no' = 'unknown';
  /** Frame name prefix the server understands: `presence.subscribe`, or `subscribe` on early servers. */
  private presencePrefix: 'presence.' | '' = 'presence.';
  private readonly presenceProbes = new Set<string>();

  constructor(private readonly options: ClientOptions) {
    this.urls = typeof options.url === 'string' ? [options.url] : [...options.url];
    if (this.urls.length === 0) {
      throw new TypeError('url is required');
    }
    this.device = options.device ?? defaultDevice();
    if (!DEVICE_PATTERN.test(this.device)) {
      throw new TypeError('device must be 1-128 of A-Z a-z 0-9 . _ - @ :');
    }
    const impl = options.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
    if (!impl) {
      throw new TypeError("no WebSocket implementation: pass options.WebSocket (in Node.js 20: import { WebSocket } from 'ws')");
    }
    this.WebSocketImpl = impl;
    this.store = options.store ?? defaultSeqStore();
    this.clock = options.clock ?? systemClock;
    this.random = options.random ?? Math.random;
    this.backoff = new Backoff(options.backoff, this.random);
    this.environment = options.environment === null ? undefined : (options.environment ?? browserEnvironment());
    this.heartbeatEnabled = options.heartbeat !== false;
    const heartbeat = options.heartbeat || {};
    this.heartbeatIntervalMs = heartbeat.intervalMs ?? 20_000;
    this.heartbeatTimeoutMs = heartbeat.timeoutMs ?? 10_000;
    this.recvDelayMs = options.recv?.delayMs ?? 200;
    this.recvMaxBatch = options.recv?.maxBatch ?? 100;
    this.connectTimeoutMs = options.connectTimeoutMs ?? 10_000;
    this.maxPendingSends = options.maxPendingSends ?? 1000;
    this.maxFrameBytes = options.maxFrameBytes ?? 65_536;
    this.sendRetries = options.sendRetries ?? 8;
    this.stableAfterMs = options.stableAfterMs ?? 5000;
    this.events = new Emitter<ClientEvents>((error) => reportListenerError(error));
  }

  // ---------------------------------------------------------------- public API

  on<K extends keyof ClientEvents>(event: K, listener: ClientEvents[K]): () => void {
    return this.events.on(event, listener);
  }

  off<K extends keyof ClientEvents>(event: K, listener: ClientEvents[K]): void {
    this.events.off(event, listener);
  }

  get state(): ConnectionState {
    return this.current;
  }

  /** The session as the server welcomed it; undefined unless `open`. */
  get session(): { user: string; device: string; session: string } | undefined {
    const w = this.welcomeFrame;
    return w ? { user: w.user, device: w.device, session: w.session } : undefined;
  }

  /** The highest seq delivered (or confirmed as skipped by a gap); undefined before the first welcome. */
  get lastSeq(): number | undefined {
    return this.lastSeqValue;
  }

  /** Whether the server resumes (replay after `after`, `recv`, `sync`, `gap`); known once `open`. */
  get resumeSupported(): boolean {
    return this.resume;
  }

  /** Whether the server sends presence frames: `unknown` until it answered a subscription. */
  get presenceSupport(): 'unknown' | 'yes' | 'no' {
    return this.presenceFrames;
  }

  /** Sends waiting for their ack. */
  get pendingSends(): number {
    return this.pending.size;
  }

  /** Starts connecting (and keeps reconnecting until `close()`). Does nothing if already started. */
  connect(): void {
    if (this.current === 'connecting' || this.current === 'open' || this.current === 'waiting') {
      return;
    }
    if (this.environment && !this.stopEnvironment) {
      this.stopEnvironment = this.environment.subscribe((signal) => this.onEnvironment(signal));
    }
    void this.attempt();
  }

  /**
   * Sends a message; resolves with its id once the server durably accepted it (`ack`). Until then it
   * is sent again with the same `cid` after every reconnect, so the recipient gets it once. Rejects
   * with a {@link SwitchboardError} (with this send's `cid`) on a final error (its `code`), on
   * `close()` (`closed`), after `timeoutMs` (`timeout`), or when `unavailable` / `rate_limited` was
   * still the answer after `sendRetries` retries (that code). After `closed`, `timeout`,
   * `unavailable` or `rate_limited` the message may still arrive (for a group: at the members whose
   * copy was accepted): to try again, send it with the same cid (`{ cid: error.cid }`). A new cid is
   * a new message, which those recipients would get twice.
   */
  send(to: string, body: unknown, options: SendOptions = {}): Promise<SendResult> {
    if (this.current === 'closed') {
      return Promise.reject(new SwitchboardError('closed', 'the client is closed'));
    }
    if (typeof to !== 'string' || to.length === 0) {
      return Promise.reject(new SwitchboardError('bad_request', "'to' must be a user id"));
    }
    if (body === undefined) {
      return Promise.reject(new SwitchboardError('bad_request', "'body' is required"));
    }
    const cid = options.cid ?? randomCid(this.random);
    if (!CID_PATTERN.test(cid)) {
      return Promise.reject(new SwitchboardError('bad_request', 'cid must be 1-64 printable ASCII characters'));
    }
    if (this.pending.has(cid)) {
      return Promise.reject(new SwitchboardError('bad_request', 'a send with this cid is already waiting', cid));
    }
    if (this.pending.size >= this.maxPendingSends) {
      return Promise.reject(
        new SwitchboardError('too_many_pending', `${this.maxPendingSends} sends are already waiting for their ack`, cid),
      );
    }
    let frame: string;
    try {
      frame = JSON.stringify({ type: 'send', cid, to, body });
    } catch {
      return Promise.reject(new SwitchboardError('bad_request', 'body is not JSON-serializable', cid));
    }
    const frameBytes = utf8Length(frame);
    if (frameBytes > this.maxFrameBytes) {
      return Promise.reject(
        new SwitchboardError('frame_too_large', `the send frame is ${frameBytes} bytes; at most ${this.maxFrameBytes}`, cid),
      );
    }
    return new Promise<SendResult>((resolve, reject) => {
      const entry: PendingSend = { cid, to, frame, resolve, reject, retries: 0 };
      this.pending.set(cid, entry);
      if (options.timeoutMs !== undefined) {
        entry.deadline = this.clock.setTimeout(() => {
          this.settle(entry, new SwitchboardError('timeout', `no ack within ${options.timeoutMs} ms`, cid));
        }, options.timeoutMs);
      }
      this.transmit(entry);
    });
  }

  /**
   * Asks the server for every message after the last delivered one (they arrive as `message`
   * events); resolves with the newest seq the server has. Needs a connected, resume-capable server.
   */
  sync(): Promise<number> {
    if (this.current !== 'open') {
      return Promise.reject(new SwitchboardError('disconnected', 'not connected'));
    }
    if (!this.resume) {
      return Promise.reject(new SwitchboardError('unsupported', 'this server does not support sync'));
    }
    return new Promise<number>((resolve, reject) => {
      this.syncWaiters.push({ resolve, reject });
      this.sendFrame({ type: 'sync', after: this.lastSeqValue ?? 0 });
    });
  }

  /** Follows these users' presence (`presence` events); kept across reconnects. */
  subscribe(users: readonly string[]): void {
    const added = users.filter((u) => typeof u === 'string' && u.length > 0 && !this.subscriptions.has(u));
    added.forEach((u) => this.subscriptions.add(u));
    if (added.length > 0 && this.current === 'open' && this.presenceFrames !== 'no') {
      this.sendSubscribe(added);
    }
  }

  unsubscribe(users: readonly string[]): void {
    const removed = users.filter((u) => this.subscriptions.delete(u));
    removed.forEach((u) => this.presence.delete(u));
    if (removed.length > 0 && this.current === 'open' && this.presenceFrames !== 'no') {
      this.sendFrame({ type: `${this.presencePrefix}unsubscribe`, cid: randomCid(this.random), users: removed });
    }
  }

  /** The last known presence of a subscribed user. */
  presenceOf(user: string): PresenceUpdate | undefined {
    return this.presence.get(user);
  }

  /**
   * Closes the connection for good: no reconnect; waiting sends are rejected with `closed`.
   * `connect()` may start it again.
   */
  close(): void {
    if (this.current === 'closed') {
      return;
    }
    this.flushRecv();
    this.generation++;
    this.clearConnectionTimers();
    this.clock.clearTimeout(this.reconnectTimer);
    this.reconnectTimer = undefined;
    this.stopEnvironment?.();
    this.stopEnvironment = undefined;
    const socket = this.socket;
    this.socket = undefined;
    this.welcomeFrame = undefined;
    if (socket) {
      detach(socket);
      try {
        socket.close(1000, 'client closed');
      } catch {
        // Already closing.
      }
    }
    for (const entry of [...this.pending.values()]) {
      this.settle(entry, new SwitchboardError('closed', 'the client was closed before the ack', entry.cid));
    }
    this.failSyncs('closed');
    this.setState('closed', {});
  }

  // ---------------------------------------------------------------- connecting

  private async attempt(): Promise<void> {
    this.clock.clearTimeout(this.reconnectTimer);
    this.reconnectTimer = undefined;
    const generation = ++this.generation;
    this.setState('connecting', {});

    let token: string;
    try {
      const provided = this.options.token;
      token = typeof provided === 'function' ? await provided() : provided;
      if (typeof token !== 'string' || token.length === 0) {
        throw new Error('no token');
      }
    } catch (error) {
      if (generation === this.generation) {
        this.emitError(new SwitchboardError('token', `could not get a token: ${describe(error)}`));
        this.scheduleReconnect({ reason: 'token' });
      }
      return;
    }
    if (generation !== this.generation) {
      return;
    }
    await this.useStoreOf(this.options.user ?? tokenSubject(token));
    if (generation !== this.generation) {
      return;
    }

    let socket: WebSocketLike;
    try {
      socket = new this.WebSocketImpl(this.urlFor(token));
    } catch (error) {
      this.emitError(new SwitchboardError('connect', `cannot open a WebSocket: ${describe(error)}`));
      this.scheduleReconnect({ reason: 'connect' });
      return;
    }
    this.socket = socket;
    this.lastHeard = this.clock.now();
    socket.onmessage = (event: { data: unknown }) => {
      if (this.socket === socket) {
        this.onFrame(event.data);
      }
    };
    socket.onclose = (event: { code?: number; reason?: string }) => {
      if (this.socket === socket) {
        this.disconnected(event.code, event.reason || undefined);
      }
    };
    socket.onerror = () => {
      // A close event follows; the reason is not observable in browsers.
    };
    this.connectTimer = this.clock.setTimeout(() => {
      if (this.socket === socket && this.current === 'connecting') {
        this.abandon('connect_timeout');
      }
    }, this.connectTimeoutMs);
  }

  /** Switches to the stored cursor of `user` (and device), loading it when the user changes. */
  private async useStoreOf(user: string | undefined): Promise<void> {
    if (user === undefined) {
      return; // An opaque token: the welcome names the user, and the cursor is kept from then on.
    }
    const key = `${user}:${this.device}`;
    if (key === this.storeKey) {
      return;
    }
    this.storeKey = key;
    this.lastSeqValue = undefined;
    this.confirmedSeq = 0;
    this.seenIds.clear();
    try {
      const stored = await this.store.load(key);
      if (stored !== undefined && this.storeKey === key) {
        this.lastSeqValue = stored;
      }
    } catch (error) {
      this.emitError(new SwitchboardError('store', `cannot read the stored seq: ${describe(error)}`));
    }
  }

  private urlFor(token: string): string {
    const base = resolveUrl(this.urls[this.urlIndex % this.urls.length]!);
    const url = new URL(base);
    url.searchParams.set('access_token', token);
    url.searchParams.set('device', this.device);
    if (this.lastSeqValue !== undefined) {
      url.searchParams.set('after', String(this.lastSeqValue));
    }
    return url.toString();
  }

  private scheduleReconnect(info: { closeCode?: number; reason?: string }): void {
    const delay = this.backoff.next();
    this.urlIndex++;
    this.setState('waiting', { retryInMs: delay, ...info });
    this.reconnectTimer = this.clock.setTimeout(() => {
      this.reconnectTimer = undefined;
      void this.attempt();
    }, delay);
  }

  private onEnvironment(signal: EnvironmentSignal): void {
    if (this.current === 'waiting' && signal !== 'offline') {
      // The network is back or the user is looking: waiting out the backoff only delays them.
      void this.attempt();
    } else if (this.current === 'open') {
      // The connection may have died while the device slept or changed networks: check it now.
      this.probe(Math.min(this.heartbeatTimeoutMs, 5000));
    }
  }

  /** Drops the current socket without waiting for a close handshake (it may be dead) and reconnects. */
  private abandon(reason: string): void {
    const socket = this.socket;
    if (!socket) {
      return;
    }
    detach(socket);
    try {
      socket.close(4000, reason);
    } catch {
      // Nothing to do: it is being dropped anyway.
    }
    this.disconnected(undefined, reason);
  }

  private disconnected(closeCode: number | undefined, reason: string | undefined): void {
    this.socket = undefined;
    this.welcomeFrame = undefined;
    this.generation++;
    this.clearConnectionTimers();
    this.unconfirmed = 0;
    this.failSyncs('disconnected');
    const nodeLeaving = closeCode !== undefined && NODE_LEAVING_CODES.has(closeCode);
    if (nodeLeaving || (this.openedAt !== undefined && this.clock.now() - this.openedAt >= this.stableAfterMs)) {
      this.backoff.reset();
    }
    this.openedAt = undefined;
    this.scheduleReconnect({ closeCode, reason });
  }

  private clearConnectionTimers(): void {
    for (const timer of [this.connectTimer, this.idleTimer, this.probeTimer, this.recvTimer]) {
      this.clock.clearTimeout(timer);
    }
    this.connectTimer = this.idleTimer = this.probeTimer = this.recvTimer = undefined;
  }

  // ---------------------------------------------------------------- receiving

  private onFrame(data: unknown): void {
    this.lastHeard = this.clock.now();
    if (this.probeTimer !== undefined) {
      this.clock.clearTimeout(this.probeTimer);
      this.probeTimer = undefined;
      this.armHeartbeat();
    }
    const frame = parseFrame(data);
    if (!frame) {
      return;
    }
    switch (frame.type) {
      case 'welcome':
        this.onWelcome(frame);
        break;
      case 'msg':
        this.onMsg(frame);
        break;
      case 'ack': {
        const entry = this.pending.get(frame.cid);
        if (entry && typeof frame.id === 'string') {
          this.settle(entry, { id: frame.id, cid: frame.cid });
        }
        break;
      }
      case 'error':
        this.onServerError(frame);
        break;
      case 'gap':
        this.onGap(frame);
        break;
      case 'synced': {
        const waiters = this.syncWaiters;
        this.syncWaiters = [];
        waiters.forEach((w) => w.resolve(frame.upTo));
        break;
      }
      case 'presence':
        this.onPresence(frame);
        break;
      default:
        // pong, and frame types of later protocol versions: life, nothing else.
        break;
    }
  }

  private onWelcome(frame: WelcomeFrame): void {
    if (this.current !== 'connecting') {
      return;
    }
    this.clock.clearTimeout(this.connectTimer);
    this.connectTimer = undefined;
    this.welcomeFrame = frame;
    this.openedAt = this.clock.now();
    this.resume = typeof frame.after === 'number';
    this.resumedAfter = this.resume ? (frame.after as number) : undefined;
    if (this.storeKey === undefined && typeof frame.user === 'string') {
      // The token did not name the user: from now on its cursor is kept under the welcomed name.
      this.storeKey = `${frame.user}:${this.device}`;
    }
    if (this.resume) {
      const after = frame.after as number;
      // Replay starts after `after`; anything at or below it is either delivered or will never come.
      if (this.lastSeqValue === undefined || after > this.lastSeqValue) {
        this.lastSeqValue = after;
        this.persist(after);
      }
      // The server's own cursor for this device may lag (a last batch lost with the old connection):
      // confirm once now, so a new install of this device resumes from here too.
      this.confirmedSeq = 0;
    }
    this.setState('open', {});
    this.flushRecv();
    for (const entry of this.pending.values()) {
      this.clock.clearTimeout(entry.retryTimer);
      entry.retryTimer = undefined;
      this.transmit(entry);
    }
    if (this.subscriptions.size > 0 && this.presenceFrames !== 'no') {
      this.sendSubscribe([...this.subscriptions]);
    }
    this.armHeartbeat();
  }

  private onMsg(frame: MsgFrame): void {
    if (this.current !== 'open' || typeof frame.seq !== 'number' || typeof frame.id !== 'string') {
      return;
    }
    const resumedAfter = this.resumedAfter;
    this.resumedAfter = undefined;
    if (resumedAfter !== undefined && frame.seq <= resumedAfter && !this.seenIds.has(frame.id)) {
      this.serverRegressed(frame.seq, resumedAfter);
    }
    const last = this.lastSeqValue;
    if (this.seenIds.has(frame.id) || (last !== undefined && frame.seq <= last)) {
      return; // Already delivered: a replay after a reconnect, or a sync overlapping live traffic.
    }
    if (this.resume && last !== undefined && frame.seq > last + 1 && this.syncWaiters.length === 0) {
      // The server delivers in order without holes (a `gap` frame announces any); a hole means a
      // copy was lost between us. Reconnecting after `last` brings the rest in order.
      this.emitError(new SwitchboardError('seq_jump', `expected seq ${last + 1}, got ${frame.seq}; resuming`));
      this.abandon('seq_jump');
      return;
    }
    this.lastSeqValue = frame.seq;
    this.remember(frame.id);
    this.persist(frame.seq);
    const { id, seq, from, to, ts, body } = frame;
    this.events.emit('message', { id, seq, from, to, ts, body });
    this.scheduleRecv();
  }

  /**
   * The first message of a connection is at or below its resume point: the server no longer has the
   * messages this device counted (its inbox was lost or restored from a backup) and numbers new ones
   * from what it has. Starting again just below that message delivers them; keeping the old last seq
   * would drop every one of them as already seen, and never confirm any.
   */
  private serverRegressed(seq: number, resumedAfter: number): void {
    this.lastSeqValue = seq - 1;
    this.confirmedSeq = 0;
    this.persist(seq - 1, true);
    this.emitError(
      new SwitchboardError(
        'server_regressed',
        `the server resumed after ${resumedAfter} but sent seq ${seq}: it lost messages; continuing from ${seq}`,
      ),
    );
  }

  private onGap(frame: Gap): void {
    if (typeof frame.from !== 'number' || typeof frame.to !== 'number') {
      return;
    }
    this.events.emit('gap', { from: frame.from, to: frame.to });
    if (this.lastSeqValue === undefined || frame.to > this.lastSeqValue) {
      this.lastSeqValue = frame.to;
      this.persist(frame.to);
      this.scheduleRecv();
    }
  }

  private onPresence(frame: PresenceFrame): void {
    this.presenceFrames = 'yes';
    if (!this.subscriptions.has(frame.user)) {
      return;
    }
    const update: PresenceUpdate = { user: frame.user, online: frame.online === true, at: frame.at };
    if (typeof frame.lastSeen === 'number') {
      update.lastSeen = frame.lastSeen;
    }
    this.presence.set(frame.user, update);
    this.events.emit('presence', update);
  }

  private onServerError(frame: ErrorFrame): void {
    const cid = typeof frame.cid === 'string' ? frame.cid : undefined;
    if (cid !== undefined) {
      const entry = this.pending.get(cid);
      if (entry) {
        this.onSendError(entry, frame);
        return;
      }
      if (this.presenceProbes.delete(cid) && frame.code === 'unknown_type') {
        if (this.presencePrefix === 'presence.') {
          // Try the frame's other name once before concluding the server has no presence frames.
          this.presencePrefix = '';
          this.sendSubscribe([...this.subscriptions]);
          return;
        }
        this.presenceFrames = 'no';
        this.emitError(
          new SwitchboardError('presence_unsupported', 'this server does not send presence over the WebSocket', cid),
        );
        return;
      }
    }
    this.emitError(new SwitchboardError(frame.code, frame.message, cid));
  }

  private remember(id: string): void {
    this.seenIds.add(id);
    if (this.seenIds.size > MAX_REMEMBERED_IDS) {
      const oldest = this.seenIds.values().next().value;
      if (oldest !== undefined) {
        this.seenIds.delete(oldest);
      }
    }
  }

  /** Saves the last seq; `lower` also when it is below the stored one (see {@link SeqStore.reset}). */
  private persist(seq: number, lower = false): void {
    const key = this.storeKey;
    if (key === undefined) {
      return;
    }
    try {
      const saving = lower && this.store.reset ? this.store.reset(key, seq) : this.store.save(key, seq);
      if (saving && typeof (saving as Promise<void>).catch === 'function') {
        (saving as Promise<void>).catch((error: unknown) =>
          this.emitError(new SwitchboardError('store', `cannot save the seq: ${describe(error)}`)),
        );
      }
    } catch (error) {
      this.emitError(new SwitchboardError('store', `cannot save the seq: ${describe(error)}`));
    }
  }

  /** Confirms delivered messages to the server at most every `delayMs`, or at once after `maxBatch`. */
  private scheduleRecv(): void {
    if (!this.resume) {
      return;
    }
    this.unconfirmed++;
    if (this.unconfirmed >= this.recvMaxBatch) {
      this.flushRecv();
    } else if (this.recvTimer === undefined) {
      this.recvTimer = this.clock.setTimeout(() => {
        this.recvTimer = undefined;
        this.flushRecv();
      }, this.recvDelayMs);
    }
  }

  private flushRecv(): void {
    this.clock.clearTimeout(this.recvTimer);
    this.recvTimer = undefined;
    this.unconfirmed = 0;
    const seq = this.lastSeqValue;
    if (this.resume && this.current === 'open' && seq !== undefined && seq > this.confirmedSeq) {
      if (this.sendFrame({ type: 'recv', seq })) {
        this.confirmedSeq = seq;
      }
    }
  }

  // ---------------------------------------------------------------- sending

  private transmit(entry: PendingSend): void {
    if (this.current === 'open' && entry.retryTimer === undefined) {
      this.sendText(entry.frame);
    }
  }

  private onSendError(entry: PendingSend, frame: ErrorFrame): void {
    if (RETRYABLE_SEND_CODES.has(frame.code) && entry.retries < this.sendRetries) {
      const delay = Math.min(30_000, 250 * Math.pow(2, entry.retries)) * (0.5 + this.random());
      entry.retries++;
      entry.retryTimer = this.clock.setTimeout(() => {
        entry.retryTimer = undefined;
        if (this.pending.get(entry.cid) === entry) {
          this.transmit(entry);
        }
      }, delay);
      return;
    }
    this.settle(entry, new SwitchboardError(frame.code, frame.message, entry.cid));
  }

  private settle(entry: PendingSend, outcome: SendResult | SwitchboardError): void {
    if (this.pending.get(entry.cid) !== entry) {
      return;
    }
    this.pending.delete(entry.cid);
    this.clock.clearTimeout(entry.retryTimer);
    this.clock.clearTimeout(entry.deadline);
    if (outcome instanceof SwitchboardError) {
      entry.reject(outcome);
    } else {
      entry.resolve(outcome);
    }
  }

  private sendSubscribe(users: string[]): void {
    const cid = randomCid(this.random);
    if (this.presenceFrames === 'unknown') {
      // An older server answers unknown_type with this cid; then the app can fall back to polling.
      this.presenceProbes.add(cid);
    }
    this.sendFrame({ type: `${this.presencePrefix}subscribe`, cid, users });
  }

  private sendFrame(frame: ClientFrame): boolean {
    return this.sendText(JSON.stringify(frame));
  }

  private sendText(text: string): boolean {
    const socket = this.socket;
    if (!socket || socket.readyState !== OPEN) {
      return false;
    }
    try {
      socket.send(text);
      return true;
    } catch {
      return false; // The close event follows and the frame goes again after the reconnect.
    }
  }

  private failSyncs(code: string): void {
    const waiters = this.syncWaiters;
    this.syncWaiters = [];
    waiters.forEach((w) => w.reject(new SwitchboardError(code, 'the connection ended before the sync completed')));
  }

  // ---------------------------------------------------------------- liveness

  private armHeartbeat(): void {
    if (!this.heartbeatEnabled || this.current !== 'open') {
      return;
    }
    this.clock.clearTimeout(this.idleTimer);
    this.idleTimer = this.clock.setTimeout(() => this.onIdleTimer(), this.heartbeatIntervalMs);
  }

  private onIdleTimer(): void {
    this.idleTimer = undefined;
    if (this.current !== 'open') {
      return;
    }
    const silent = this.clock.now() - this.lastHeard;
    if (silent < this.heartbeatIntervalMs) {
      this.idleTimer = this.clock.setTimeout(() => this.onIdleTimer(), this.heartbeatIntervalMs - silent);
      return;
    }
    this.probe(this.heartbeatTimeoutMs);
  }

  /** Sends `ping`; if no frame at all arrives within `timeoutMs`, the connection is replaced. */
  private probe(timeoutMs: number): void {
    if (!this.heartbeatEnabled || this.current !== 'open' || this.probeTimer !== undefined) {
      return;
    }
    this.clock.clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
    this.sendFrame({ type: 'ping' });
    this.probeTimer = this.clock.setTimeout(() => {
      this.probeTimer = undefined;
      this.abandon('liveness_timeout');
    }, timeoutMs);
  }

  // ---------------------------------------------------------------- events

  private setState(state: ConnectionState, info: Partial<StateChange>): void {
    const previous = this.current;
    this.current = state;
    this.events.emit('state', { state, previous, attempt: this.backoff.attempt, ...info });
  }

  private emitError(error: SwitchboardError): void {
    this.events.emit('error', error);
  }
}

/**
 * Stops listening to a socket that is being dropped. Its error handler stays (a no-op): closing a
 * socket that is still connecting makes the `ws` package emit `error` on the next tick, and a Node.js
 * EventEmitter with no `error` listener throws it, which ends the process.
 */
function detach(socket: WebSocketLike): void {
  socket.onopen = socket.onmessage = socket.onclose = null;
  socket.onerror = ignoreError;
}

function ignoreError(): void {
  // A dropped socket's error tells nothing the client still needs.
}

function resolveUrl(url: string): string {
  const location = (globalThis as { location?: { protocol: string; host: string } }).location;
  if (/^wss?:\/\//i.test(url) || !location) {
    return url;
  }
  // A path such as '/ws': the gateway that served the page.
  return `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}${url.startsWith('/') ? '' : '/'}${url}`;
}

/** A cid unique for this user for far longer than the server's 2-day idempotency window. */
function randomCid(random: () => number): string {
  const bytes = new Uint8Array(12);
  const crypto = (globalThis as { crypto?: { getRandomValues?: (a: Uint8Array) => Uint8Array } }).crypto;
  if (crypto?.getRandomValues) {
    crypto.getRandomValues(bytes);
  } else {
    bytes.forEach((_, i) => (bytes[i] = Math.floor(random() * 256)));
  }
  return 'c' + Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function reportListenerError(error: unknown): void {
  const report = (globalThis as { reportError?: (e: unknown) => void }).reportError;
  if (typeof report === 'function') {
    report(error);
  } else {
    console.error('switchboard: an event listener threw', error);
  }
}

/** UTF-8 length of a string without encoding it (lone surrogates count as the 3-byte replacement). */
function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) {
      bytes += 1;
    } else if (c < 0x800) {
      bytes += 2;
    } else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      bytes += 4;
      i++;
    } else {
      bytes += 3;
    }
  }
  return bytes;
}
