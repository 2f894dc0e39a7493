import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LocalStorageSeqStore, defaultDevice, defaultSeqStore, MemorySeqStore, type StorageLike } from '../src/index.js';

class FakeStorage implements StorageLike {
  readonly values = new Map<string, string>();
  getItem(key: string): string | null {
    return this.values.get(key) ?? null;
  }
  setItem(key: string, value: string): void {
    this.values.set(key, value);
  }
}

function withLocalStorage<T>(storage: StorageLike | undefined, body: () => T): T {
  const g = globalThis as { localStorage?: StorageLike };
  const original = g.localStorage;
  g.localStorage = storage;
  try {
    return body();
  } finally {
    g.localStorage = original;
  }
}

describe('stores', () => {
  it('localStorage keeps the highest seq per key and survives a new store object (a reload)', () => {
    const storage = new FakeStorage();
    const store = new LocalStorageSeqStore(storage);
    store.save('alice:web-1', 7);
    store.save('alice:web-1', 5); // a late, lower write never moves it back
    store.save('bob:web-1', 2);
    const reloaded = new LocalStorageSeqStore(storage);
    assert.equal(reloaded.load('alice:web-1'), 7);
    assert.equal(reloaded.load('bob:web-1'), 2);
    assert.equal(reloaded.load('carol:web-1'), undefined);
    reloaded.reset('alice:web-1', 3); // the server lost what the stored value counted
    assert.equal(new LocalStorageSeqStore(storage).load('alice:web-1'), 3);
  });

  it('ignores a damaged stored value instead of resuming from garbage', () => {
    const storage = new FakeStorage();
    storage.setItem('switchboard.seq.alice:d', 'banana');
    assert.equal(new LocalStorageSeqStore(storage).load('alice:d'), undefined);
  });

  it('uses localStorage where there is one, memory in Node.js', () => {
    assert.ok(withLocalStorage(new FakeStorage(), () => defaultSeqStore()) instanceof LocalStorageSeqStore);
    assert.ok(withLocalStorage(undefined, () => defaultSeqStore()) instanceof MemorySeqStore);
    const throwing: StorageLike = {
      getItem: () => null,
      setItem: () => {
        throw new Error('QuotaExceededError');
      },
    };
    assert.ok(withLocalStorage(throwing, () => defaultSeqStore()) instanceof MemorySeqStore);
  });

  it('gives a browser installation one stable random device name', () => {
    const storage = new FakeStorage();
    const first = withLocalStorage(storage, () => defaultDevice());
    assert.match(first, /^web-[0-9a-f]{16}$/);
    assert.equal(withLocalStorage(storage, () => defaultDevice()), first);
    assert.notEqual(withLocalStorage(new FakeStorage(), () => defaultDevice()), first);
    assert.equal(withLocalStorage(undefined, () => defaultDevice()), 'default');
  });
});
