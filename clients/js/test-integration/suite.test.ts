// The SDK against the real suite (Kafka, Redis, four services, two gateway nodes), not a fake server.
import assert from 'node:assert/strict';
import { after, describe, it, type TestContext } from 'node:test';
import { MemorySeqStore, SwitchboardError, type PresenceUpdate, type StateChange } from '../src/index.js';
import { NetworkProxy, client, devToken, gateways, noSuite, opened, port, user, waitFor } from './suite.js';

const NO_REPLAY =
  'the server has no replay yet (welcome without "after"): resume, recv and cid idempotency land with the delivery-promise work';
const NO_PRESENCE_FRAMES = 'this server has no presence frames (subscribe answered unknown_type): an older gateway';

const open: Array<{ close(): void }> = [];
const proxies: NetworkProxy[] = [];
after(async () => {
  open.forEach((c) => c.close());
  await Promise.all(proxies.map((p) => p.stop()));
});

function track<T extends { close(): void }>(c: T): T {
  open.push(c);
  return c;
}

async function proxyTo(gateway: number): Promise<{ proxy: NetworkProxy; url: string }> {
  const proxy = new NetworkProxy(port(gateway));
  proxies.push(proxy);
  return { proxy, url: await proxy.start() };
}

function texts(c: { messages: Array<{ body: unknown }> }): unknown[] {
  return c.messages.map((m) => (m.body as { text?: unknown }).text);
}

describe('SDK against the real suite', { skip: noSuite }, () => {
  it('development tokens: the gateway mints them in local mode and refuses bad names', async () => {
    const token = await devToken(user('token-check'), 1);
    assert.equal(token.split('.').length, 3);
    const bad = await fetch(`${gateways[0]}/dev/token`, { method: 'POST', body: '{"user":"no spaces"}' });
    assert.equal(bad.status, 400);
    assert.equal(((await bad.json()) as { code: string }).code, 'bad_user');
  });

  it('a send from one node is acked with the id the recipient on the other node receives', async () => {
    const alice = track(client(user('alice'), 0));
    const bob = track(client(user('bob'), 1));
    await Promise.all([opened(alice), opened(bob)]);

    const { id, cid } = await alice.send(user('bob'), { text: 'hello bob' });
    await waitFor('the message at bob', () => bob.messages.length === 1);

    const got = bob.messages[0]!;
    assert.equal(got.id, id);
    assert.equal(got.from, user('alice'));
    assert.deepEqual(got.body, { text: 'hello bob' });
    assert.match(cid, /^c[0-9a-f]{24}$/);
  });

  it('many sends in flight all resolve, and arrive once each in order', async () => {
    const alice = track(client(user('burst-a'), 0));
    const bob = track(client(user('burst-b'), 1));
    await Promise.all([opened(alice), opened(bob)]);

    const acks = await Promise.all(Array.from({ length: 50 }, (_, i) => alice.send(user('burst-b'), { text: i })));
    await waitFor('50 messages at bob', () => bob.messages.length >= 50);

    assert.deepEqual(texts(bob), Array.from({ length: 50 }, (_, i) => i));
    assert.deepEqual(
      bob.messages.map((m) => m.id),
      acks.map((a) => a.id),
    );
    const seqs = bob.messages.map((m) => m.seq);
    assert.deepEqual(seqs, seqs.map((_, i) => seqs[0]! + i), 'gap-free seq per recipient');
  });

  it('a final error rejects the send with the server code', async () => {
    const alice = track(client(user('err-a'), 0));
    await opened(alice);
    await assert.rejects(
      alice.send('not a user id', { text: 'x' }),
      (e: SwitchboardError) => e.code === 'bad_recipient',
    );
  });

  it('a frozen (half-open) connection is found by the heartbeat and replaced; traffic flows again', async () => {
    const { proxy, url } = await proxyTo(1);
    const states: StateChange[] = [];
    const bob = track(client(user('frozen-b'), 1, { url, heartbeat: { intervalMs: 400, timeoutMs: 400 } }));
    bob.on('state', (s) => states.push(s));
    const alice = track(client(user('frozen-a'), 0));
    await Promise.all([opened(alice), opened(bob)]);

    const frozenAt = Date.now();
    proxy.freeze();
    await waitFor('the liveness timeout', () => states.some((s) => s.reason === 'liveness_timeout'), 5000);
    const detectedMs = Date.now() - frozenAt;
    await waitFor('a new connection', () => bob.state === 'open');

    await alice.send(user('frozen-b'), { text: 'after the freeze' });
    await waitFor('the message on the new connection', () => texts(bob).includes('after the freeze'));
    assert.ok(detectedMs < 2000, `a dead connection is noticed within interval + timeout (took ${detectedMs} ms)`);
  });

  it('after the network drops it reconnects with backoff and gets what was sent meanwhile, once and in order', async (t: TestContext) => {
    const { proxy, url } = await proxyTo(1);
    const states: StateChange[] = [];
    const bob = track(client(user('drop-b'), 1, { url }));
    bob.on('state', (s) => states.push(s));
    const alice = track(client(user('drop-a'), 0));
    await Promise.all([opened(alice), opened(bob)]);
    await alice.send(user('drop-b'), { text: 'before' });
    await waitFor('the first message', () => bob.messages.length === 1);
    if (!bob.resumeSupported) {
      t.skip(NO_REPLAY);
      return;
    }

    proxy.refusing = true;
    proxy.cut();
    await waitFor('bob to notice', () => bob.state !== 'open');
    for (let i = 1; i <= 5; i++) {
      await alice.send(user('drop-b'), { text: `while away ${i}` });
    }
    await waitFor('a few failed attempts', () => states.filter((s) => s.state === 'waiting').length >= 3);
    proxy.refusing = false;
    await waitFor('all messages', () => bob.messages.length >= 6);
    await new Promise((resolve) => setTimeout(resolve, 300)); // duplicates would arrive now

    assert.deepEqual(texts(bob), ['before', 'while away 1', 'while away 2', 'while away 3', 'while away 4', 'while away 5']);
    const delays = states.filter((s) => s.state === 'waiting').map((s) => s.retryInMs!);
    assert.ok(delays[2]! > delays[0]!, `backoff grows: ${delays.join(', ')} ms`);
  });

  it('a send whose connection dies before the ack is retried with the same cid and delivered once', async (t: TestContext) => {
    const { proxy, url } = await proxyTo(0);
    const alice = track(client(user('retry-a'), 0, { url }));
    const bob = track(client(user('retry-b'), 1));
    await Promise.all([opened(alice), opened(bob)]);
    if (!alice.resumeSupported) {
      t.skip(NO_REPLAY);
      return;
    }

    const sends = [1, 2, 3].map((i) => alice.send(user('retry-b'), { text: `retried ${i}` }));
    proxy.cut(); // the frames may or may not have reached the gateway; the acks cannot come back
    const acks = await Promise.all(sends);
    await waitFor('three messages', () => bob.messages.length >= 3);
    await new Promise((resolve) => setTimeout(resolve, 500));

    assert.deepEqual(texts(bob), ['retried 1', 'retried 2', 'retried 3']);
    assert.deepEqual(
      bob.messages.map((m) => m.id),
      acks.map((a) => a.id),
    );
  });

  it('a reloaded client with the same store resumes after what it showed: nothing twice, nothing lost', async (t: TestContext) => {
    const store = new MemorySeqStore();
    const alice = track(client(user('reload-a'), 0));
    const first = track(client(user('reload-b'), 1, { store }));
    await Promise.all([opened(alice), opened(first)]);
    if (!first.resumeSupported) {
      t.skip(NO_REPLAY);
      return;
    }
    for (const text of ['one', 'two']) {
      await alice.send(user('reload-b'), { text });
    }
    await waitFor('two messages', () => first.messages.length === 2);
    first.close(); // the page is closed
    for (const text of ['three', 'four']) {
      await alice.send(user('reload-b'), { text });
    }

    const reloaded = track(client(user('reload-b'), 1, { store }));
    await opened(reloaded);
    await waitFor('the messages sent while closed', () => reloaded.messages.length >= 2);
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.deepEqual(texts(reloaded), ['three', 'four']);
  });

  it('a device with no stored seq resumes from what it confirmed with recv', async (t: TestContext) => {
    const alice = track(client(user('cursor-a'), 0));
    const phone = track(client(user('cursor-b'), 1, { recv: { delayMs: 50 } }));
    await Promise.all([opened(alice), opened(phone)]);
    if (!phone.resumeSupported) {
      t.skip(NO_REPLAY);
      return;
    }
    await alice.send(user('cursor-b'), { text: 'seen' });
    await waitFor('the first message', () => phone.messages.length === 1);
    await new Promise((resolve) => setTimeout(resolve, 200)); // the batched recv goes out
    phone.close();
    await alice.send(user('cursor-b'), { text: 'new' });

    const reinstalled = track(client(user('cursor-b'), 1, { store: new MemorySeqStore() }));
    await opened(reinstalled);
    await waitFor('the unseen message', () => reinstalled.messages.length >= 1);
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.deepEqual(texts(reinstalled), ['new']);
  });

  it('presence: a subscriber sees a user come online and go offline', async (t: TestContext) => {
    const watcher = track(client(user('watcher'), 0));
    await opened(watcher);
    const updates: PresenceUpdate[] = [];
    watcher.on('presence', (p) => updates.push(p));
    watcher.subscribe([user('watched')]);
    await waitFor('an answer to the subscription', () => watcher.presenceSupport !== 'unknown' || updates.length > 0, 3000).catch(
      () => undefined,
    );
    if (watcher.presenceSupport === 'no') {
      t.skip(NO_PRESENCE_FRAMES);
      return;
    }

    const watched = track(client(user('watched'), 1));
    await opened(watched);
    await waitFor('online', () => watcher.presenceOf(user('watched'))?.online === true);
    watched.close();
    await waitFor('offline', () => watcher.presenceOf(user('watched'))?.online === false);
  });
});
