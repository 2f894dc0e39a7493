import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  LocalStorageSeqStore,
  MemorySeqStore,
  SwitchboardClient,
  SwitchboardError,
  type ClientOptions,
  type Gap,
  type Message,
  type PresenceUpdate,
  type StateChange,
} from '../src/index.js';
import { FakeClock, FakeEnvironment, fakeWebSocket, settle, token } from './fakes.js';

function setup(options: Partial<ClientOptions> = {}) {
  const clock = new FakeClock();
  const ws = fakeWebSocket();
  const environment = new FakeEnvironment();
  const store = new MemorySeqStore();
  const client = new SwitchboardClient({
    url: 'ws://gw.test/ws',
    token: token('alice'),
    device: 'd1',
    WebSocket: ws.WebSocket,
    store,
    clock,
    environment,
    random: () => 0.5,
    ...options,
  });
  const messages: Message[] = [];
  const states: StateChange[] = [];
  const errors: SwitchboardError[] = [];
  const gaps: Gap[] = [];
  const presence: PresenceUpdate[] = [];
  client.on('message', (m) => messages.push(m));
  client.on('state', (s) => states.push(s));
  client.on('error', (e) => errors.push(e));
  client.on('gap', (g) => gaps.push(g));
  client.on('presence', (p) => presence.push(p));
  return { client, clock, ws, environment, store, messages, states, errors, gaps, presence };
}

/** The error a send ends with (undefined if it resolved), observed from the start. */
function outcome(promise: Promise<unknown>): Promise<SwitchboardError | undefined> {
  return promise.then(
    () => undefined,
    (e: SwitchboardError) => e,
  );
}

async function connected(options: Partial<ClientOptions> = {}, after?: number) {
  const t = setup(options);
  t.client.connect();
  await settle();
  t.ws.last().welcome(after);
  return t;
}

describe('connecting', () => {
  it('passes the token and device in the URL and is open after the welcome', async () => {
    const t = setup();
    t.client.connect();
    await settle();
    const socket = t.ws.last();
    assert.equal(socket.query.get('access_token'), token('alice'));
    assert.equal(socket.query.get('device'), 'd1');
    assert.equal(socket.query.has('after'), false, 'a device with no stored seq lets the server pick');
    assert.equal(t.client.state, 'connecting');
    socket.welcome(0);
    assert.equal(t.client.state, 'open');
    assert.deepEqual(t.client.session, { user: 'alice', device: 'd1', session: socket.url.length ? 's-' + socket.url.length : '' });
    assert.deepEqual(
      t.states.map((s) => s.state),
      ['connecting', 'open'],
    );
  });

  it('asks the token callback before every attempt, so an expired token is replaced', async () => {
    let calls = 0;
    const t = setup({ token: async () => token(`alice`) + `-${++calls}` });
    t.client.connect();
    await settle();
    assert.ok(t.ws.last().query.get('access_token')!.endsWith('-1'));
    t.ws.last().serverClose(1006);
    await t.clock.advance(1000);
    assert.ok(t.ws.last().query.get('access_token')!.endsWith('-2'));
    assert.equal(calls, 2);
  });

  it('retries with backoff when the token callback fails', async () => {
    let fail = true;
    const t = setup({
      token: () => {
        if (fail) {
          throw new Error('auth server down');
        }
        return token('alice');
      },
    });
    t.client.connect();
    await settle();
    assert.equal(t.ws.sockets.length, 0);
    assert.equal(t.client.state, 'waiting');
    assert.equal(t.errors[0]?.code, 'token');
    fail = false;
    await t.clock.advance(500);
    assert.equal(t.ws.sockets.length, 1);
  });

  it('gives up on an attempt that gets no welcome within the connect timeout', async () => {
    const t = setup({ connectTimeoutMs: 3000 });
    t.client.connect();
    await settle();
    t.ws.last().open(); // TCP and upgrade fine, but the server never welcomes
    await t.clock.advance(2999);
    assert.equal(t.client.state, 'connecting');
    await t.clock.advance(1);
    assert.equal(t.client.state, 'waiting');
    assert.equal(t.states.at(-1)?.reason, 'connect_timeout');
    assert.ok(t.ws.sockets[0]!.closedByClient, 'the stuck socket is closed');
  });
});

describe('reconnecting', () => {
  it('reconnects after a drop with exponential backoff, and resets it once a connection was stable', async () => {
    const t = await connected({ stableAfterMs: 5000 });
    const delays: number[] = [];
    for (let i = 0; i < 4; i++) {
      t.ws.last().serverClose(1006);
      const waiting = t.states.at(-1)!;
      assert.equal(waiting.state, 'waiting');
      assert.equal(waiting.closeCode, 1006);
      delays.push(waiting.retryInMs!);
      await t.clock.advance(waiting.retryInMs!);
      assert.equal(t.client.state, 'connecting');
      t.ws.last().welcome(0); // accepted, then dropped again at once
    }
    assert.deepEqual(delays, [500, 1000, 2000, 4000]);
    await t.clock.advance(5000);
    t.ws.last().serverClose(1001);
    assert.equal(t.states.at(-1)!.retryInMs, 500, 'a connection that lasted resets the backoff');
  });

  it('comes back after the first backoff step when its node drains (1012) or goes away (1001)', async () => {
    for (const code of [1012, 1001]) {
      const t = await connected({ stableAfterMs: 5000 });
      for (let i = 0; i < 3; i++) {
        t.ws.last().serverClose(1006); // a short-lived connection: the backoff grows
        await t.clock.advance(t.states.at(-1)!.retryInMs!);
        t.ws.last().welcome(0);
      }
      assert.equal(t.client.state, 'open');
      t.ws.last().serverClose(code, 'service restart');
      const waiting = t.states.at(-1)!;
      assert.equal(waiting.closeCode, code);
      assert.equal(waiting.retryInMs, 500, `close ${code} resets the backoff`);
      await t.clock.advance(500);
      assert.equal(t.client.state, 'connecting');
    }
  });

  it('keeps failing attempts spaced out up to the 30 s cap', async () => {
    const t = setup();
    t.client.connect();
    await settle();
    const delays: number[] = [];
    for (let i = 0; i < 9; i++) {
      t.ws.last().serverClose(1006); // refused before the welcome
      delays.push(t.states.at(-1)!.retryInMs!);
      await t.clock.advance(t.states.at(-1)!.retryInMs!);
    }
    assert.deepEqual(delays, [500, 1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]);
    assert.equal(t.ws.sockets.length, 10);
  });

  it('tries the next URL on each reconnect', async () => {
    const t = await connected({ url: ['ws://gw1.test/ws', 'ws://gw2.test/ws'] });
    assert.equal(new URL(t.ws.last().url).host, 'gw1.test');
    t.ws.last().serverClose(1001);
    await t.clock.advance(500);
    assert.equal(new URL(t.ws.last().url).host, 'gw2.test');
  });

  it('reconnects at once when the network comes back or the page becomes visible', async () => {
    const t = await connected();
    for (const signal of ['online', 'visible'] as const) {
      for (let i = 0; i < 5; i++) {
        t.ws.last().serverClose(1006);
        await t.clock.advance(t.states.at(-1)!.retryInMs!);
      }
      t.ws.last().serverClose(1006);
      assert.equal(t.client.state, 'waiting');
      assert.ok(t.states.at(-1)!.retryInMs! >= 8000);
      const before = t.ws.sockets.length;
      t.environment.signal(signal);
      await settle();
      assert.equal(t.ws.sockets.length, before + 1, `${signal} starts an attempt without waiting`);
      t.ws.last().welcome(0);
    }
  });

  it('does not reconnect after close(), and stops listening to the environment', async () => {
    const t = await connected();
    t.client.close();
    assert.equal(t.client.state, 'closed');
    assert.equal(t.ws.last().closedByClient?.code, 1000);
    assert.equal(t.environment.subscribed, false);
    await t.clock.advance(60_000);
    assert.equal(t.ws.sockets.length, 1);
  });
});

describe('heartbeat', () => {
  it('pings after a quiet interval and replaces a connection that does not answer', async () => {
    const t = await connected({ heartbeat: { intervalMs: 20_000, timeoutMs: 10_000 } });
    const first = t.ws.last();
    await t.clock.advance(19_999);
    assert.equal(first.sentOf('ping').length, 0);
    await t.clock.advance(1);
    assert.equal(first.sentOf('ping').length, 1);
    await t.clock.advance(9_999);
    assert.equal(t.client.state, 'open');
    await t.clock.advance(1);
    assert.equal(t.client.state, 'waiting');
    assert.equal(t.states.at(-1)!.reason, 'liveness_timeout');
    await t.clock.advance(500);
    assert.equal(t.ws.sockets.length, 2, 'a new connection replaces the silent one');
  });

  it('keeps a connection that answers, and does not ping while frames flow', async () => {
    const t = await connected({ heartbeat: { intervalMs: 20_000, timeoutMs: 10_000 } });
    const socket = t.ws.last();
    for (let i = 1; i <= 10; i++) {
      await t.clock.advance(15_000);
      socket.msg(i);
    }
    assert.equal(socket.sentOf('ping').length, 0, 'traffic is proof of life');
    // Now quiet: a server that answers each ping keeps the connection.
    let answered = 0;
    for (let i = 0; i < 12; i++) {
      await t.clock.advance(5_000);
      while (answered < socket.sentOf('ping').length) {
        answered++;
        socket.push({ type: 'pong' });
      }
    }
    assert.equal(socket.sentOf('ping').length, 3, 'one ping per 20 s of silence');
    assert.equal(t.client.state, 'open');
    assert.equal(t.ws.sockets.length, 1);
  });

  it('checks the connection at once when the page becomes visible again', async () => {
    const t = await connected({ heartbeat: { intervalMs: 20_000, timeoutMs: 10_000 } });
    t.environment.signal('visible');
    assert.equal(t.ws.last().sentOf('ping').length, 1);
    await t.clock.advance(5000);
    assert.equal(t.client.state, 'waiting', 'no answer within 5 s: the connection died while hidden');
  });
});

describe('resume and deduplication', () => {
  it('resumes after the stored seq and delivers each message once, in order', async () => {
    const t = setup();
    t.store.save('alice:d1', 5);
    t.client.connect();
    await settle();
    assert.equal(t.ws.last().query.get('after'), '5');
    t.ws.last().welcome(5);
    t.ws.last().msg(6);
    t.ws.last().msg(6); // duplicate copy
    t.ws.last().msg(7);
    t.ws.last().msg(8, 'm6'); // same id as an earlier message
    assert.deepEqual(
      t.messages.map((m) => m.seq),
      [6, 7],
    );
    assert.equal(t.store.load('alice:d1'), 7);
    assert.equal(t.client.lastSeq, 7);
  });

  it('resumes after the last delivered seq on reconnect, and drops the replayed overlap', async () => {
    const t = await connected({}, 0);
    t.ws.last().msg(1);
    t.ws.last().msg(2);
    t.ws.last().serverClose(4008);
    await t.clock.advance(500);
    const second = t.ws.last();
    assert.equal(second.query.get('after'), '2');
    second.welcome(2);
    second.msg(2);
    second.msg(3);
    assert.deepEqual(
      t.messages.map((m) => m.seq),
      [1, 2, 3],
    );
  });

  it('starts again below a stored seq the server no longer has, delivers what comes and lowers the store', async () => {
    // The server lost the inbox (a restored Redis, a dev suite restarted with fresh data) while the
    // browser kept its stored seq: it resumes from what exists, and numbers new messages from there.
    const storage = new Map<string, string>();
    const store = new LocalStorageSeqStore({ getItem: (k) => storage.get(k) ?? null, setItem: (k, v) => void storage.set(k, v) });
    store.save('alice:d1', 50);
    const t = setup({ store });
    t.client.connect();
    await settle();
    assert.equal(t.ws.last().query.get('after'), '50');
    t.ws.last().welcome(50);
    t.ws.last().msg(1);
    t.ws.last().msg(2);
    t.ws.last().msg(2); // a duplicate is still one
    t.ws.last().msg(3, 'm1'); // and so is an id already delivered
    t.ws.last().msg(3);
    assert.deepEqual(
      t.messages.map((m) => m.seq),
      [1, 2, 3],
    );
    assert.deepEqual(
      t.errors.map((e) => e.code),
      ['server_regressed'],
    );
    assert.equal(t.client.lastSeq, 3);
    assert.equal(store.load('alice:d1'), 3, 'the stored seq is lowered');
    await t.clock.advance(200);
    assert.deepEqual(t.ws.last().sentOf('recv').at(-1), { type: 'recv', seq: 3 }, 'and confirmed again');
    t.ws.last().serverClose(1006);
    await t.clock.advance(500);
    assert.equal(t.ws.last().query.get('after'), '3', 'the next connection resumes after what came');
  });

  it('starts again below a resume point the server gave that its inbox no longer reaches', async () => {
    const t = setup();
    t.client.connect();
    await settle();
    assert.equal(t.ws.last().query.has('after'), false);
    t.ws.last().welcome(50); // the device's cursor on the server, older than its inbox
    t.ws.last().msg(4); // seqs 1-3 exist; the server goes on after the newest
    t.ws.last().msg(5);
    assert.deepEqual(
      t.messages.map((m) => m.seq),
      [4, 5],
    );
    assert.equal(t.errors[0]?.code, 'server_regressed');
    assert.equal(t.store.load('alice:d1'), 5);
  });

  it('takes only the first message of a connection as a sign of a lost inbox', async () => {
    const t = await connected({}, 10);
    t.ws.last().msg(11);
    t.ws.last().msg(11);
    t.ws.last().msg(9, 'm-old');
    t.ws.last().msg(12);
    assert.deepEqual(
      t.messages.map((m) => m.seq),
      [11, 12],
    );
    assert.equal(t.errors.length, 0);
    assert.equal(t.store.load('alice:d1'), 12);
  });

  it('keeps cursors per user: another user on the same device starts from their own', async () => {
    const store = new MemorySeqStore();
    store.save('alice:d1', 10);
    store.save('bob:d1', 3);
    const t = setup({ store, token: token('bob') });
    t.client.connect();
    await settle();
    assert.equal(t.ws.last().query.get('after'), '3');
  });

  it('with a token that names no user, keeps the cursor under the welcomed user', async () => {
    const t = setup({ token: 'opaque-token' });
    t.client.connect();
    await settle();
    assert.equal(t.ws.last().query.has('after'), false);
    t.ws.last().welcome(0);
    t.ws.last().msg(1);
    t.ws.last().msg(2);
    t.ws.last().serverClose(1006);
    await t.clock.advance(500);
    assert.equal(t.ws.last().query.get('after'), '2');
    assert.equal(t.store.load('alice:d1'), 2);
  });

  it('confirms delivery with recv, batched by time and by count', async () => {
    const t = await connected({ recv: { delayMs: 200, maxBatch: 100 } }, 0);
    const socket = t.ws.last();
    socket.msg(1);
    socket.msg(2);
    socket.msg(3);
    assert.equal(socket.sentOf('recv').length, 0);
    await t.clock.advance(200);
    assert.deepEqual(socket.sentOf('recv'), [{ type: 'recv', seq: 3 }]);
    for (let seq = 4; seq <= 103; seq++) {
      socket.msg(seq);
    }
    assert.deepEqual(socket.sentOf('recv').at(-1), { type: 'recv', seq: 103 }, '100 messages confirm at once');
    assert.equal(socket.sentOf('recv').length, 2);
    await t.clock.advance(1000);
    assert.equal(socket.sentOf('recv').length, 2, 'nothing new, nothing sent');
  });

  it('confirms the resumed position at once, so a fresh install of the device starts there', async () => {
    const t = setup();
    t.store.save('alice:d1', 42);
    t.client.connect();
    await settle();
    t.ws.last().welcome(42);
    assert.deepEqual(t.ws.last().sentOf('recv'), [{ type: 'recv', seq: 42 }]);
  });

  it('confirms what it delivered when closed', async () => {
    const t = await connected({}, 0);
    t.ws.last().msg(1);
    const socket = t.ws.last();
    t.client.close();
    assert.deepEqual(socket.sentOf('recv'), [{ type: 'recv', seq: 1 }]);
  });

  it('sends no recv to a server without resume (its welcome has no after)', async () => {
    const t = await connected();
    t.ws.last().msg(1);
    t.ws.last().msg(5); // such a server does not replay: seq may jump
    await t.clock.advance(1000);
    assert.equal(t.ws.last().sentOf('recv').length, 0);
    assert.deepEqual(
      t.messages.map((m) => m.seq),
      [1, 5],
    );
    assert.equal(t.client.resumeSupported, false);
  });

  it('reports a gap, skips past it and confirms it', async () => {
    const t = await connected({}, 0);
    t.ws.last().push({ type: 'gap', from: 1, to: 40 });
    t.ws.last().msg(41);
    await t.clock.advance(200);
    assert.deepEqual(t.gaps, [{ from: 1, to: 40 }]);
    assert.deepEqual(
      t.messages.map((m) => m.seq),
      [41],
    );
    assert.deepEqual(t.ws.last().sentOf('recv').at(-1), { type: 'recv', seq: 41 });
  });

  it('reconnects after the last delivered seq when a resume-capable server skips one', async () => {
    const t = await connected({}, 0);
    t.ws.last().msg(1);
    t.ws.last().msg(3);
    assert.deepEqual(
      t.messages.map((m) => m.seq),
      [1],
    );
    assert.equal(t.errors.at(-1)?.code, 'seq_jump');
    await t.clock.advance(500);
    assert.equal(t.ws.last().query.get('after'), '1');
  });

  it('sync asks for everything after the last seq and resolves with the newest', async () => {
    const t = await connected({}, 0);
    t.ws.last().msg(1);
    const synced = t.client.sync();
    assert.deepEqual(t.ws.last().sentOf('sync'), [{ type: 'sync', after: 1 }]);
    t.ws.last().msg(2);
    t.ws.last().push({ type: 'synced', upTo: 2 });
    assert.equal(await synced, 2);
  });

  it('accepts a jump in seq inside the answer to a sync', async () => {
    const t = await connected({}, 0);
    t.ws.last().msg(1);
    const synced = t.client.sync();
    t.ws.last().msg(4); // 2 and 3 were trimmed between the sync's reads
    t.ws.last().push({ type: 'synced', upTo: 4 });
    assert.equal(await synced, 4);
    assert.deepEqual(
      t.messages.map((m) => m.seq),
      [1, 4],
    );
    assert.equal(t.client.state, 'open');
  });
});

describe('send', () => {
  it('resolves with the message id when the server acks', async () => {
    const t = await connected();
    const sent = t.client.send('bob', { text: 'hi' });
    const frame = t.ws.last().sentOf('send')[0]!;
    assert.equal(frame.to, 'bob');
    assert.deepEqual(frame.body, { text: 'hi' });
    t.ws.last().push({ type: 'ack', cid: frame.cid, id: 'id-1' });
    assert.deepEqual(await sent, { id: 'id-1', cid: frame.cid });
    assert.equal(t.client.pendingSends, 0);
  });

  it('gives every send a different cid', async () => {
    const t = await connected();
    for (let i = 0; i < 50; i++) {
      void t.client.send('bob', i);
    }
    const cids = new Set(t.ws.last().sentOf('send').map((f) => f.cid));
    assert.equal(cids.size, 50);
  });

  it('queues sends made while disconnected and sends them after the welcome', async () => {
    const t = setup();
    const sent = t.client.send('bob', 'early');
    t.client.connect();
    await settle();
    t.ws.last().open();
    assert.equal(t.ws.last().sentOf('send').length, 0, 'nothing before the welcome');
    t.ws.last().welcome(0);
    const frame = t.ws.last().sentOf('send')[0]!;
    t.ws.last().push({ type: 'ack', cid: frame.cid, id: 'id-9' });
    assert.equal((await sent).id, 'id-9');
  });

  it('retries an unacknowledged send with the same cid after a reconnect, in order', async () => {
    const t = await connected();
    const first = t.client.send('bob', 1);
    const second = t.client.send('bob', 2);
    const cids = t.ws.last().sentOf('send').map((f) => f.cid);
    t.ws.last().serverClose(1006); // lost before the acks
    await t.clock.advance(500);
    t.ws.last().welcome(0);
    const resent = t.ws.last().sentOf('send');
    assert.deepEqual(
      resent.map((f) => f.cid),
      cids,
    );
    assert.deepEqual(
      resent.map((f) => f.body),
      [1, 2],
    );
    resent.forEach((f, i) => t.ws.last().push({ type: 'ack', cid: f.cid, id: `id-${i}` }));
    assert.equal((await first).id, 'id-0');
    assert.equal((await second).id, 'id-1');
  });

  it('retries after unavailable with the same cid, then resolves', async () => {
    const t = await connected();
    const sent = t.client.send('bob', 'x');
    const cid = t.ws.last().sentOf('send')[0]!.cid;
    t.ws.last().push({ type: 'error', cid, code: 'unavailable', message: 'Kafka is down' });
    assert.equal(t.ws.last().sentOf('send').length, 1, 'not hammered at once');
    await t.clock.advance(250);
    assert.equal(t.ws.last().sentOf('send').length, 2);
    assert.equal(t.ws.last().sentOf('send')[1]!.cid, cid);
    t.ws.last().push({ type: 'ack', cid, id: 'id-1' });
    assert.equal((await sent).id, 'id-1');
  });

  it('gives up on unavailable or rate_limited after the configured retries, naming the cid to send again with', async () => {
    const t = await connected({ sendRetries: 2 });
    const sent = outcome(t.client.send('bob', 'x'));
    const cid = t.ws.last().sentOf('send')[0]!.cid as string;
    for (const code of ['unavailable', 'rate_limited', 'rate_limited']) {
      t.ws.last().push({ type: 'error', cid, code, message: 'busy' });
      await t.clock.advance(10_000);
    }
    assert.equal(t.ws.last().sentOf('send').length, 3);
    const error = await sent;
    assert.equal(error?.code, 'rate_limited');
    assert.equal(error?.cid, cid);
    const again = t.client.send('bob', 'x', { cid: error.cid });
    assert.equal(t.ws.last().sentOf('send').at(-1)!.cid, cid, 'sent again under the same cid');
    t.ws.last().push({ type: 'ack', cid, id: 'id-1' });
    assert.equal((await again).id, 'id-1');
  });

  it('rejects on a final error such as bad_recipient or cid_conflict', async () => {
    const t = await connected();
    const bad = t.client.send('bob', 'x', { cid: 'mine-1' });
    t.ws.last().push({ type: 'error', cid: 'mine-1', code: 'cid_conflict', message: 'cid used for another recipient' });
    await assert.rejects(bad, (e: SwitchboardError) => e.code === 'cid_conflict' && e.cid === 'mine-1');
    assert.equal(t.errors.length, 0, 'a send failure goes to its promise, not the error event');
  });

  it('rejects pending sends on close, and after its timeout', async () => {
    const t = await connected();
    const timed = outcome(t.client.send('bob', 1, { timeoutMs: 1000 }));
    await t.clock.advance(999);
    assert.equal(t.client.pendingSends, 1);
    await t.clock.advance(1);
    assert.equal((await timed)?.code, 'timeout');
    const open = t.client.send('bob', 2);
    t.client.close();
    await assert.rejects(open, (e: SwitchboardError) => e.code === 'closed');
    await assert.rejects(t.client.send('bob', 3), (e: SwitchboardError) => e.code === 'closed');
  });

  it('refuses bad input and too many waiting sends without sending anything', async () => {
    const t = await connected({ maxPendingSends: 2 });
    await assert.rejects(t.client.send('', 'x'), (e: SwitchboardError) => e.code === 'bad_request');
    await assert.rejects(t.client.send('bob', undefined), (e: SwitchboardError) => e.code === 'bad_request');
    await assert.rejects(t.client.send('bob', 1n), (e: SwitchboardError) => e.code === 'bad_request');
    await assert.rejects(t.client.send('bob', 'x', { cid: 'é' }), (e: SwitchboardError) => e.code === 'bad_request');
    void t.client.send('bob', 1);
    void t.client.send('bob', 2);
    await assert.rejects(t.client.send('bob', 3), (e: SwitchboardError) => e.code === 'too_many_pending');
    assert.equal(t.ws.last().sentOf('send').length, 2);
  });

  it('refuses a send frame larger than the server takes, counting UTF-8 bytes, without sending it', async () => {
    const t = await connected({ maxFrameBytes: 100 });
    // {"type":"send","cid":"c1","to":"bob","body":"…"} is 47 bytes around the text: 53 bytes of text fit
    await assert.rejects(t.client.send('bob', 'é'.repeat(27), { cid: 'c1' }), (e: SwitchboardError) => e.code === 'frame_too_large');
    await assert.rejects(t.client.send('bob', '😀'.repeat(13) + 'aa', { cid: 'c2' }), (e: SwitchboardError) => e.code === 'frame_too_large');
    void t.client.send('bob', 'é'.repeat(26) + 'a', { cid: 'c3' });
    void t.client.send('bob', '😀'.repeat(13) + 'a', { cid: 'c4' });
    assert.deepEqual(
      t.ws.last().sentOf('send').map((f) => f.cid),
      ['c3', 'c4'],
    );
  });

  it('sends a message as it was when send() was called, also after a reconnect', async () => {
    const t = await connected();
    const body = { text: 'hello' };
    void t.client.send('bob', body, { cid: 'c1' });
    body.text = 'changed afterwards';
    const before = t.ws.last();
    before.serverClose(1006); // lost before the ack
    await t.clock.advance(500);
    t.ws.last().welcome(0);
    assert.notEqual(t.ws.last(), before);
    for (const ws of [before, t.ws.last()]) {
      assert.deepEqual(
        ws.sentOf('send').map((f) => f.body),
        [{ text: 'hello' }],
      );
    }
  });
});

describe('presence', () => {
  it('subscribes on every connection and reports changes of subscribed users', async () => {
    const t = await connected();
    t.client.subscribe(['bob', 'carol']);
    assert.deepEqual(t.ws.last().sentOf('presence.subscribe')[0]!.users, ['bob', 'carol']);
    t.ws.last().push({ type: 'presence', user: 'bob', online: true, at: 5, lastSeen: 5 });
    t.ws.last().push({ type: 'presence', user: 'mallory', online: true, at: 5 });
    assert.deepEqual(t.presence, [{ user: 'bob', online: true, at: 5, lastSeen: 5 }]);
    assert.deepEqual(t.client.presenceOf('bob'), { user: 'bob', online: true, at: 5, lastSeen: 5 });
    assert.equal(t.client.presenceSupport, 'yes');

    t.client.unsubscribe(['carol']);
    assert.deepEqual(t.ws.last().sentOf('presence.unsubscribe')[0]!.users, ['carol']);
    t.ws.last().serverClose(1001);
    await t.clock.advance(500);
    t.ws.last().welcome();
    assert.deepEqual(t.ws.last().sentOf('presence.subscribe')[0]!.users, ['bob'], 'subscriptions survive reconnects');
  });

  it('falls back to the short frame name on servers that only know "subscribe"', async () => {
    const t = await connected();
    t.client.subscribe(['bob']);
    const first = t.ws.last().sentOf('presence.subscribe')[0]!.cid;
    t.ws.last().push({ type: 'error', cid: first, code: 'unknown_type', message: 'unknown frame type' });
    assert.deepEqual(t.ws.last().sentOf('subscribe')[0]!.users, ['bob']);
    t.ws.last().push({ type: 'presence', user: 'bob', online: false, at: 0 });
    assert.equal(t.client.presenceSupport, 'yes');
    t.client.unsubscribe(['bob']);
    assert.deepEqual(t.ws.last().sentOf('unsubscribe')[0]!.users, ['bob']);
    assert.equal(t.errors.length, 0);
  });

  it('tells the application when the server has no presence frames', async () => {
    const t = await connected();
    t.client.subscribe(['bob']);
    for (const type of ['presence.subscribe', 'subscribe']) {
      const cid = t.ws.last().sentOf(type)[0]!.cid;
      t.ws.last().push({ type: 'error', cid, code: 'unknown_type', message: 'unknown frame type' });
    }
    assert.equal(t.client.presenceSupport, 'no');
    assert.equal(t.errors.at(-1)?.code, 'presence_unsupported');
    t.ws.last().serverClose(1001);
    await t.clock.advance(500);
    t.ws.last().welcome();
    assert.equal(t.ws.last().sentOf('subscribe').length + t.ws.last().sentOf('presence.subscribe').length, 0, 'not asked again');
  });
});

describe('events', () => {
  it('keeps delivering when a listener throws', async () => {
    const t = setup();
    const reported: unknown[] = [];
    const original = globalThis.reportError;
    (globalThis as { reportError?: (e: unknown) => void }).reportError = (e) => reported.push(e);
    try {
      t.client.on('message', () => {
        throw new Error('app bug');
      });
      t.client.connect();
      await settle();
      t.ws.last().welcome(0);
      t.ws.last().msg(1);
      t.ws.last().msg(2);
      assert.deepEqual(
        t.messages.map((m) => m.seq),
        [1, 2],
      );
      assert.equal(reported.length, 2);
    } finally {
      (globalThis as { reportError?: unknown }).reportError = original;
    }
  });

  it('ignores frames it does not understand', async () => {
    const t = await connected();
    t.ws.last().onmessage?.({ data: 'not json' });
    t.ws.last().push({ type: 'from-the-future', x: 1 });
    assert.equal(t.client.state, 'open');
    assert.equal(t.errors.length, 0);
  });
});
