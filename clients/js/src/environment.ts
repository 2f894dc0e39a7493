/** Signals from the platform that make waiting for the next reconnect pointless or a check worthwhile. */
export type EnvironmentSignal = 'online' | 'offline' | 'visible';

/**
 * Where the client hears that the network came back or the page became visible again. Browsers get
 * one by default ({@link browserEnvironment}); Node.js has none; React Native apps can adapt NetInfo
 * and AppState to it.
 */
export interface Environment {
  /** Starts delivering signals to `listener`; returns a function that stops. */
  subscribe(listener: (signal: EnvironmentSignal) => void): () => void;
}

/** Timers and time, replaceable in tests. */
export interface Clock {
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => globalThis.setTimeout(callback, ms),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof globalThis.setTimeout>),
};

interface BrowserGlobals {
  addEventListener?: (type: string, listener: () => void) => void;
  removeEventListener?: (type: string, listener: () => void) => void;
  document?: {
    visibilityState?: string;
    addEventListener(type: string, listener: () => void): void;
    removeEventListener(type: string, listener: () => void): void;
  };
}

/** `online`/`offline` from `window`, `visibilitychange` to visible from `document`; undefined outside browsers. */
export function browserEnvironment(): Environment | undefined {
  const g = globalThis as BrowserGlobals;
  const doc = g.document;
  if (typeof g.addEventListener !== 'function' || typeof g.removeEventListener !== 'function' || !doc) {
    return undefined;
  }
  const add = g.addEventListener.bind(g);
  const remove = g.removeEventListener.bind(g);
  return {
    subscribe(listener) {
      const online = () => listener('online');
      const offline = () => listener('offline');
      const visibility = () => {
        if (doc.visibilityState === 'visible') {
          listener('visible');
        }
      };
      add('online', online);
      add('offline', offline);
      doc.addEventListener('visibilitychange', visibility);
      return () => {
        remove('online', online);
        remove('offline', offline);
        doc.removeEventListener('visibilitychange', visibility);
      };
    },
  };
}
