// The IPC messages between the save-to-apply coordinator and its agent hosts.

export type HostCommand =
  | { type: 'clock' }
  | { type: 'connect'; url: string; token: string; count: number; firstIndex: number }
  | { type: 'flush' }
  /** From now on, record when each agent's socket is next acknowledged (a reconnect after a server restart). */
  | { type: 'watch-reconnects' }
  /** Open `count` plain WebSockets to the broadcast floor's bare server (fan-out.ts; no graphql-ws, no agent). */
  | { type: 'raw-connect'; url: string; count: number }
  | { type: 'raw-close' }
  /** Every plain socket sends `message` once, after a random delay of up to `jitterMs` (the report floor: report-floor.ts). */
  | { type: 'raw-send'; message: string; jitterMs: number }
  /** Open `count` plain graphql-ws subscribers (bench/plain-subscribers.ts) to every version after `afterVersion`. */
  | { type: 'plain-connect'; url: string; token: string; count: number; afterVersion: number }
  | { type: 'plain-close' }
  /** Profile this host's CPU from now until profile-stop, written to `file`. */
  | { type: 'profile-start' }
  | { type: 'profile-stop'; file: string }
  | { type: 'close' };

export type HostReply =
  | { type: 'clock'; at: number }
  | { type: 'connected'; agents: number }
  /** Every agent of the host applied `version`, at these wall-clock times (ms). */
  | { type: 'applied'; version: number; times: number[] }
  /** Every agent socket of the host received `version`'s frame, at these wall-clock times (ms). */
  | { type: 'received'; version: number; times: number[] }
  /** Every agent of the host posted its apply report of `version` on its socket, at these wall-clock times (ms). */
  | { type: 'reported'; version: number; times: number[] }
  | { type: 'flushed' }
  | { type: 'watching' }
  /** Every agent of the host reconnected, at these wall-clock times (ms). */
  | { type: 'reconnected'; times: number[] }
  | { type: 'raw-connected' }
  /** Every plain socket of the host received broadcast `round`, at these wall-clock times (ms). */
  | { type: 'raw-received'; round: number; times: number[] }
  | { type: 'raw-closed' }
  | { type: 'plain-connected'; subscribers: number }
  /** Every plain subscriber of the host received `version`, at these wall-clock times (ms). */
  | { type: 'plain-received'; version: number; times: number[] }
  | { type: 'plain-closed' }
  | { type: 'profiling' }
  | { type: 'closed' }
  | { type: 'failed'; message: string };
