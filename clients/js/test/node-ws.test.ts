// The client with the real `ws` WebSocket (as Node.js apps use it), against a local TCP server that
// accepts connections but never answers the upgrade: the attempt stays CONNECTING until the client
// gives it up. `ws` reports closing a CONNECTING socket as an `error` event on the next tick; an
// EventEmitter with no `error` listener throws it, which would end the application's process.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type Server, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { WebSocket } from 'ws';
import { MemorySeqStore, SwitchboardClient, type StateChange } from '../src/index.js';
import { FakeClock, settle, token } from './fakes.js';

/** Accepts TCP connections and reads nothing from them: an upgrade that never completes. */
let server: Server;
const accepted: Socket[] = [];

before(async () => {
  server = createServer((socket) => accepted.push(socket));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
});

after(async () => {
  accepted.forEach((s) => s.destroy());
  server.close();
  await once(server, 'close');
});

function serverUrl(): string {
  const address = server.address();
  assert.ok(address && typeof address === 'object');
  return `ws://127.0.0.1:${address.port}/ws`;
}

/** Uncaught exceptions while `body` runs and until `sockets` closed; the test's process survives them. */
async function uncaughtDuring(sockets: WebSocket[], body: () => Promise<void>): Promise<Error[]> {
  const uncaught: Error[] = [];
  const capture = (error: Error) => uncaught.push(error);
  process.prependListener('uncaughtException', capture);
  try {
    await body();
    // Each socket either closes (its error was handled) or its error escapes and it never does.
    await Promise.all(
      sockets.map(
        (s) =>
          new Promise<void>((resolve) => {
            if (s.readyState === WebSocket.CLOSED) {
              resolve();
              return;
            }
            s.once('close', () => resolve());
            const poll = setInterval(() => {
              if (uncaught.length > 0) {
                clearInterval(poll);
                resolve();
              }
            }, 5);
            s.once('close', () => clearInterval(poll));
          }),
      ),
    );
    await settle();
  } finally {
    process.removeListener('uncaughtException', capture);
  }
  return uncaught;
}

function nodeClient(clock: FakeClock) {
  const sockets: WebSocket[] = [];
  class Recording extends WebSocket {
    constructor(url: string) {
      super(url);
      sockets.push(this);
    }
  }
  const client = new SwitchboardClient({
    url: serverUrl(),
    token: token('alice'),
    device: 'node-1',
    WebSocket: Recording,
    store: new MemorySeqStore(),
    environment: null,
    clock,
    connectTimeoutMs: 3000,
    random: () => 0.5,
  });
  const states: StateChange[] = [];
  client.on('state', (s) => states.push(s));
  return { client, sockets, states };
}

async function connecting(t: ReturnType<typeof nodeClient>): Promise<WebSocket> {
  const connections = accepted.length;
  t.client.connect();
  await settle();
  const socket = t.sockets.at(-1);
  assert.ok(socket, 'the client opened a ws WebSocket');
  while (accepted.length === connections) {
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  assert.equal(socket.readyState, WebSocket.CONNECTING, 'the upgrade is never answered');
  return socket;
}

describe('in Node.js with the ws package', () => {
  it('survives a connect timeout while the socket is still connecting, and waits to retry', async () => {
    const clock = new FakeClock();
    const t = nodeClient(clock);
    const uncaught = await uncaughtDuring(t.sockets, async () => {
      await connecting(t);
      await clock.advance(3000);
    });
    assert.deepEqual(uncaught, [], 'no uncaught error event');
    assert.equal(t.client.state, 'waiting');
    assert.equal(t.states.at(-1)?.reason, 'connect_timeout');
    assert.equal(t.sockets[0]!.readyState, WebSocket.CLOSED);
    t.client.close();
  });

  it('survives close() while the socket is still connecting', async () => {
    const clock = new FakeClock();
    const t = nodeClient(clock);
    const uncaught = await uncaughtDuring(t.sockets, async () => {
      await connecting(t);
      t.client.close();
    });
    assert.deepEqual(uncaught, [], 'no uncaught error event');
    assert.equal(t.client.state, 'closed');
    assert.equal(t.sockets[0]!.readyState, WebSocket.CLOSED);
    await clock.advance(60_000);
    assert.equal(t.sockets.length, 1, 'no reconnect after close()');
  });
});
