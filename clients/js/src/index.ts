export {
  SwitchboardClient,
  SwitchboardError,
  type ClientEvents,
  type ClientOptions,
  type ConnectionState,
  type SendOptions,
  type SendResult,
  type StateChange,
  type TokenProvider,
  type WebSocketConstructor,
  type WebSocketLike,
} from './client.js';
export { Backoff, type BackoffOptions } from './backoff.js';
export { browserEnvironment, type Clock, type Environment, type EnvironmentSignal } from './environment.js';
export { CloseCode, type Gap, type Message, type PresenceUpdate } from './protocol.js';
export { LocalStorageSeqStore, MemorySeqStore, defaultDevice, defaultSeqStore, type SeqStore, type StorageLike } from './store.js';
