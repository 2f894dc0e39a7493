import type { Clock, Environment, EnvironmentSignal, WebSocketLike } from '../src/index.js';

/** Timers that run only when the test advances time. */
export class FakeClock implements Clock {
  private time = 1_000_000;
  private nextId = 1;
  private readonly timers = new Map<number, { at: number; callback: () => void }>();

  now(): number {
    return this.time;
  }

  setTimeout(callback: () => void, ms: number): unknown {
    const id = this.nextId++;
    this.timers.set(id, { at: this.time + Math.max(0, ms), callback });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.timers.delete(handle as number);
  }

  /** Moves time forward, running due timers in order (and those they set, if due). */
  async advance(ms: number): Promise<void> {
    const end = this.time + ms;
    for (;;) {
      let next: [number, { at: number; callback: () => void }] | undefined;
      for (const entry of this.timers) {
        if (entry[1].at <= end && (!next || entry[1].at < next[1].at)) {
          next = entry;
        }
      }
      if (!next) {
        break;
      }
      this.timers.delete(next[0]);
      this.time = next[1].at;
      next[1].callback();
      await settle();
    }
    this.time = end;
    await settle();
  }

  /** Delays of the timers now pending, from now. */
  pendingDelays(): number[] {
    return [...this.timers.values()].map((t) => t.at - this.time).sort((a, b) => a - b);
  }
}

/** Lets promise callbacks and async steps run. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) {
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

/** A WebSocket whose server side the test plays. */
export class FakeSocket implements WebSocketLike {
  readyState = 0;
  readonly sent: Array<Record<string, unknown>> = [];
  closedByClient: { code?: number; reason?: string } | undefined;
  onopen: ((event: unknown) => void) | null = null;
  onmessage: ((event: { data: unknown }) => void) | null = null;
  onclose: ((event: { code: number; reason: string }) => void) | null = null;
  onerror: ((event: unknown) => void) | null = null;

  constructor(readonly url: string) {}

  get query(): URLSearchParams {
    return new URL(this.url).searchParams;
  }

  send(data: string): void {
    if (this.readyState !== 1) {
      throw new Error('not open');
    }
    this.sent.push(JSON.parse(data) as Record<string, unknown>);
  }

  close(code?: number, reason?: string): void {
    this.closedByClient = { code, reason };
    this.readyState = 3;
  }

  /** Frames of one type the client sent. */
  sentOf(type: string): Array<Record<string, unknown>> {
    return this.sent.filter((f) => f.type === type);
  }

  // Server side.
  open(): void {
    this.readyState = 1;
    this.onopen?.({});
  }

  /** Opens and welcomes; `after` present means a resume-capable server. */
  welcome(after?: number, user = 'alice'): void {
    this.open();
    const welcome: Record<string, unknown> = { type: 'welcome', user, device: 'd1', session: 's-' + this.url.length };
    if (after !== undefined) {
      welcome.after = after;
    }
    this.push(welcome);
  }

  push(frame: Record<string, unknown>): void {
    this.onmessage?.({ data: JSON.stringify(frame) });
  }

  msg(seq: number, id = `m${seq}`, from = 'bob'): void {
    this.push({ type: 'msg', id, seq, from, to: 'alice', ts: 1, body: { text: `message ${seq}` } });
  }

  serverClose(code = 1006, reason = ''): void {
    this.readyState = 3;
    this.onclose?.({ code, reason });
  }
}

/** A WebSocket constructor that records every socket the client opens. */
export function fakeWebSocket(): { sockets: FakeSocket[]; WebSocket: new (url: string) => FakeSocket; last(): FakeSocket } {
  const sockets: FakeSocket[] = [];
  class Recording extends FakeSocket {
    constructor(url: string) {
      super(url);
      sockets.push(this);
    }
  }
  return {
    sockets,
    WebSocket: Recording,
    last() {
      const socket = sockets[sockets.length - 1];
      if (!socket) {
        throw new Error('no socket opened');
      }
      return socket;
    },
  };
}

export class FakeEnvironment implements Environment {
  private listener: ((signal: EnvironmentSignal) => void) | undefined;

  subscribe(listener: (signal: EnvironmentSignal) => void): () => void {
    this.listener = listener;
    return () => {
      this.listener = undefined;
    };
  }

  signal(signal: EnvironmentSignal): void {
    this.listener?.(signal);
  }

  get subscribed(): boolean {
    return this.listener !== undefined;
  }
}

/** A JWT-shaped token for `sub` (unsigned: the fake server does not check it). */
export function token(sub: string): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'HS256' })}.${part({ sub, exp: 9_999_999_999 })}.sig`;
}
