/**
 * Frames of Switchboard's wire protocol v1 (docs/protocol.md), as the SDK reads and writes them.
 * Servers may add fields and frame types; readers ignore what they do not know.
 */

/** A message delivered to this user. */
export interface Message {
  /** Message id (UUIDv7), the same the sender got in its ack. */
  id: string;
  /** The recipient's sequence number: 1, 2, 3, … per user, the same on every device. */
  seq: number;
  from: string;
  to: string;
  /** Epoch milliseconds at which a gateway accepted the message. */
  ts: number;
  /** The body exactly as sent. */
  body: unknown;
}

/** A presence change of a user this client subscribed to. */
export interface PresenceUpdate {
  user: string;
  online: boolean;
  /** Epoch milliseconds of the change, as the server saw it (0: never seen). */
  at: number;
  /** Epoch milliseconds at which the user was last heard from (0: never), where the server says. */
  lastSeen?: number;
}

/** Messages `from`..`to` (inclusive) were removed by retention or the per-user cap before this device got them. */
export interface Gap {
  from: number;
  to: number;
}

export interface WelcomeFrame {
  type: 'welcome';
  user: string;
  device: string;
  session: string;
  /** The seq after which this session's replay starts; absent on servers without resume. */
  after?: number;
}

export interface AckFrame {
  type: 'ack';
  cid: string;
  id: string;
}

export interface MsgFrame extends Message {
  type: 'msg';
}

export interface ErrorFrame {
  type: 'error';
  cid?: string;
  code: string;
  message: string;
}

export interface GapFrame extends Gap {
  type: 'gap';
}

export interface SyncedFrame {
  type: 'synced';
  upTo: number;
}

export interface PresenceFrame extends PresenceUpdate {
  type: 'presence';
}

export interface PongFrame {
  type: 'pong';
}

export type ServerFrame =
  | WelcomeFrame
  | AckFrame
  | MsgFrame
  | ErrorFrame
  | GapFrame
  | SyncedFrame
  | PresenceFrame
  | PongFrame;

export type ClientFrame =
  | { type: 'send'; cid: string; to: string; body: unknown }
  | { type: 'recv'; seq: number }
  | { type: 'sync'; after: number }
  | { type: 'ping' }
  | { type: 'presence.subscribe' | 'subscribe'; cid: string; users: string[] }
  | { type: 'presence.unsubscribe' | 'unsubscribe'; cid: string; users: string[] };

/**
 * Error codes a `send` may be answered with that mean "not accepted yet, try again with the same
 * cid". Every other code is final for that send.
 */
export const RETRYABLE_SEND_CODES: ReadonlySet<string> = new Set(['unavailable', 'rate_limited']);

/** Close codes (docs/protocol.md). */
export const CloseCode = {
  NORMAL: 1000,
  GOING_AWAY: 1001,
  TOO_BIG: 1009,
  /** The node drains (rolling restart, scale-in): reconnect at once; the server spread the closes. */
  SERVICE_RESTART: 1012,
  TRY_AGAIN_LATER: 1013,
  HEARTBEAT_TIMEOUT: 4000,
  SLOW_CONSUMER: 4008,
} as const;

/**
 * Close codes with which a node that is going away hands its clients over to other nodes: the
 * client reconnects after the first backoff step, however many attempts failed before. The server
 * already spreads these closes over a few seconds, so clients do not arrive in one wave.
 */
export const NODE_LEAVING_CODES: ReadonlySet<number> = new Set([CloseCode.GOING_AWAY, CloseCode.SERVICE_RESTART]);

/** Returns the frame if `text` is a JSON object with a string `type`, else undefined. */
export function parseFrame(text: unknown): ServerFrame | undefined {
  if (typeof text !== 'string') {
    return undefined;
  }
  try {
    const value: unknown = JSON.parse(text);
    if (value !== null && typeof value === 'object' && typeof (value as { type?: unknown }).type === 'string') {
      return value as ServerFrame;
    }
  } catch {
    // Not JSON: ignored like an unknown frame.
  }
  return undefined;
}

/** The `sub` claim of a JWT, read without verifying it (the server verifies); undefined if not a JWT. */
export function tokenSubject(token: string): string | undefined {
  const parts = token.split('.');
  if (parts.length !== 3 || parts[1] === undefined) {
    return undefined;
  }
  try {
    const base64 = parts[1].replace(/-/g, '+').replace(/_/g, '/');
    const padded = base64 + '='.repeat((4 - (base64.length % 4)) % 4);
    const json = decodeURIComponent(
      Array.from(atob(padded), (c) => '%' + c.charCodeAt(0).toString(16).padStart(2, '0')).join(''),
    );
    const claims: unknown = JSON.parse(json);
    const sub = (claims as { sub?: unknown } | null)?.sub;
    return typeof sub === 'string' ? sub : undefined;
  } catch {
    return undefined;
  }
}
