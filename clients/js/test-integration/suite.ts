// Helpers for tests against a real, running Switchboard suite (started by scripts/with-suite.mjs).
import { randomBytes } from 'node:crypto';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { WebSocket } from 'ws';
import { MemorySeqStore, SwitchboardClient, type ClientOptions, type Message } from '../src/index.js';

/** Gateway base URLs, e.g. http://127.0.0.1:8081, from SWITCHBOARD_SUITE_GATEWAYS. */
export const gateways = (process.env.SWITCHBOARD_SUITE_GATEWAYS ?? '').split(',').filter(Boolean);

/** Set when there is no suite to test against: the tests skip with this reason. */
export const noSuite =
  gateways.length < 2
    ? 'needs a running suite with two gateway nodes: run `npm run test:suite` in clients/ (or set SWITCHBOARD_SUITE_GATEWAYS)'
    : undefined;

const run = randomBytes(3).toString('hex');

/** A user name no earlier run used: tests share one suite and its stored inboxes. */
export function user(name: string): string {
  return `${name}-${run}`;
}

export function wsUrl(gateway: number): string {
  return `${gateways[gateway]!.replace(/^http/, 'ws')}/ws`;
}

export function port(gateway: number): number {
  return Number(new URL(gateways[gateway]!).port);
}

/** A development token from gateway `gateway`'s POST /dev/token (local mode). */
export async function devToken(name: string, gateway = 0): Promise<string> {
  const response = await fetch(`${gateways[gateway]}/dev/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ user: name }),
  });
  if (!response.ok) {
    throw new Error(`POST /dev/token: HTTP ${response.status}`);
  }
  return ((await response.json()) as { token: string }).token;
}

/** A client in Node.js with the `ws` package, collecting what it receives. */
export function client(name: string, gateway: number, options: Partial<ClientOptions> = {}) {
  const messages: Message[] = [];
  const c = new SwitchboardClient({
    url: wsUrl(gateway),
    token: () => devToken(name, gateway),
    device: 'node',
    WebSocket,
    store: new MemorySeqStore(),
    environment: null,
    backoff: { initialMs: 100, maxMs: 1000 },
    ...options,
  });
  c.on('message', (m) => messages.push(m));
  return Object.assign(c, { messages });
}

export async function waitFor(what: string, condition: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export async function opened(c: SwitchboardClient): Promise<void> {
  c.connect();
  await waitFor('the welcome', () => c.state === 'open');
}

/**
 * A TCP proxy in front of a gateway: lets a test cut the network (`cut`), refuse new connections
 * (`refuse`), or freeze connections so that nothing passes but nothing closes either, like a
 * half-open connection after a laptop sleeps (`freeze`).
 */
export class NetworkProxy {
  private server: Server | undefined;
  private readonly pairs = new Set<[Socket, Socket]>();
  private readonly frozen: Socket[] = [];
  refusing = false;

  constructor(private readonly targetPort: number) {}

  async start(): Promise<string> {
    this.server = createServer((downstream) => {
      if (this.refusing) {
        downstream.destroy();
        return;
      }
      const upstream = connect(this.targetPort, '127.0.0.1');
      const pair: [Socket, Socket] = [downstream, upstream];
      this.pairs.add(pair);
      downstream.pipe(upstream);
      upstream.pipe(downstream);
      const end = () => {
        downstream.destroy();
        upstream.destroy();
        this.pairs.delete(pair);
      };
      downstream.on('error', end).on('close', end);
      upstream.on('error', end).on('close', end);
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    const address = this.server.address();
    if (address === null || typeof address === 'string') {
      throw new Error('proxy has no port');
    }
    return `ws://127.0.0.1:${address.port}/ws`;
  }

  /** Drops every connection at once, without a WebSocket close. */
  cut(): void {
    for (const [a, b] of this.pairs) {
      a.destroy();
      b.destroy();
    }
    this.pairs.clear();
  }

  /** Existing connections stop carrying data in both directions but stay open. */
  freeze(): void {
    for (const [a, b] of this.pairs) {
      a.unpipe(b);
      b.unpipe(a);
      a.pause();
      b.pause();
      this.frozen.push(a, b);
    }
    this.pairs.clear(); // Later cuts leave them hanging, as a dead network would.
  }

  get connections(): number {
    return this.pairs.size;
  }

  async stop(): Promise<void> {
    this.cut();
    this.frozen.forEach((s) => s.destroy());
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
