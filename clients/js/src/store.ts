/**
 * Where the client keeps, per user and device, the highest `seq` it has handed to the application,
 * so that after a reload it resumes right after it: nothing missed, nothing shown twice.
 *
 * The methods may be synchronous or return a promise (React Native's AsyncStorage, IndexedDB).
 * `save` is called once per delivered message, with increasing values; a store may ignore a value
 * below the one it holds (another tab behind this one).
 */
export interface SeqStore {
  load(key: string): number | undefined | Promise<number | undefined>;
  save(key: string, seq: number): void | Promise<void>;
  /**
   * Sets the value even if it is lower than the stored one. Called only when the server no longer
   * has the messages the stored value counted (error `server_regressed`: its inbox was lost or
   * restored), so that the next connection resumes from what the server numbers now. A store without
   * it gets `save` instead, which is enough if `save` overwrites.
   */
  reset?(key: string, seq: number): void | Promise<void>;
}

/** Keeps the cursor in memory only: for Node.js services and tests. Lost when the process ends. */
export class MemorySeqStore implements SeqStore {
  private readonly values = new Map<string, number>();

  load(key: string): number | undefined {
    return this.values.get(key);
  }

  /** Overwrites, so it also serves as `reset`. */
  save(key: string, seq: number): void {
    this.values.set(key, seq);
  }
}

/** Minimal part of the Web Storage API the store needs. */
export interface StorageLike {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

/**
 * Keeps the cursor in `localStorage` (the browser default): survives reloads and restarts. Tabs of
 * one user and device share the value, which is harmless: `save` only moves it forward (only `reset`
 * moves it back).
 */
export class LocalStorageSeqStore implements SeqStore {
  constructor(
    private readonly storage: StorageLike,
    private readonly prefix = 'switchboard.seq.',
  ) {}

  load(key: string): number | undefined {
    const raw = this.storage.getItem(this.prefix + key);
    if (raw === null) {
      return undefined;
    }
    const seq = Number(raw);
    return Number.isSafeInteger(seq) && seq >= 0 ? seq : undefined;
  }

  save(key: string, seq: number): void {
    const current = this.load(key);
    if (current === undefined || seq > current) {
      this.reset(key, seq);
    }
  }

  reset(key: string, seq: number): void {
    this.storage.setItem(this.prefix + key, String(seq));
  }
}

/** localStorage where it exists and works (not in Node.js, not in some private modes), else memory. */
export function defaultSeqStore(): SeqStore {
  try {
    const storage = (globalThis as { localStorage?: StorageLike }).localStorage;
    if (storage) {
      const probe = 'switchboard.probe';
      storage.setItem(probe, '1');
      return new LocalStorageSeqStore(storage);
    }
  } catch {
    // Storage disabled or full: fall through to memory.
  }
  return new MemorySeqStore();
}

/**
 * A stable name for this installation: in browsers a random `web-…` id created once and kept in
 * localStorage (every tab of the profile shares it, as they share the stored seq); elsewhere `default`.
 */
export function defaultDevice(): string {
  try {
    const storage = (globalThis as { localStorage?: StorageLike }).localStorage;
    if (storage) {
      const key = 'switchboard.device';
      let device = storage.getItem(key);
      if (device === null || !/^[A-Za-z0-9._\-@:]{1,128}$/.test(device)) {
        const bytes = new Uint8Array(8);
        globalThis.crypto.getRandomValues(bytes);
        device = 'web-' + Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
        storage.setItem(key, device);
      }
      return device;
    }
  } catch {
    // No usable storage: one shared name.
  }
  return 'default';
}
