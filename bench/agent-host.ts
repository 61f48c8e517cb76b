// One process of the save-to-apply benchmark's agents (bench/save-to-apply.ts
// forks several): real trading workers each run in their own process, so
// putting all 1,000 agents on one event loop would measure that loop's queue,
// not distribution. Speaks to the coordinator over IPC (agent-host-protocol.ts).
// The agents are the built package (`npm run bench:distribution` builds it
// first), as a worker installs it: plain JavaScript, no TypeScript loader.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Session } from 'node:inspector/promises';
import WebSocket from 'ws';
import type { RuntimeAgent } from '../runtime-agent/src/index.ts';
import type { HostCommand, HostReply } from './agent-host-protocol.ts';
import { now } from './arrivals.ts';
import { openPlainSubscriber } from './plain-subscribers.ts';

// Typed by the sources (the build is not there before the bench runs).
const builtPackage = new URL('../runtime-agent/dist/runtime-agent/src/index.js', import.meta.url).href;
const { createRuntimeAgent } = (await import(builtPackage)) as typeof import('../runtime-agent/src/index.ts');

const PARAMETER = 'CVN_SIGNAL_THRESHOLD_BUY';
const silent = { debug() {}, info() {}, warn() {}, error: (fields: Record<string, unknown>) => console.error(JSON.stringify(fields)) };

const agents: RuntimeAgent<typeof PARAMETER>[] = [];
let profiler: Session | undefined;
/** The broadcast floor's plain sockets, and the receive times per round. */
let raw: WebSocket[] = [];
const rawReceived = new Map<number, number[]>();

function openRaw(url: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url);
    socket.on('message', (data) => {
      const at = now();
      // The round number leads the message: `<round>|<payload>`.
      const text = data.toString();
      const round = Number(text.slice(0, text.indexOf('|')));
      let times = rawReceived.get(round);
      if (!times) rawReceived.set(round, (times = []));
      times.push(at);
      if (times.length === raw.length) {
        rawReceived.delete(round);
        send({ type: 'raw-received', round, times });
      }
    });
    socket.once('open', () => resolve(socket));
    socket.once('error', reject);
  });
}
/** The plain graphql-ws subscribers, and their receive times per version. */
let plain: WebSocket[] = [];
const plainReceived = new Map<number, number[]>();
function onPlainVersion(version: number, at: number): void {
  let times = plainReceived.get(version);
  if (!times) plainReceived.set(version, (times = []));
  times.push(at);
  if (times.length === plain.length) {
    plainReceived.delete(version);
    send({ type: 'plain-received', version, times });
  }
}

function closeAll(sockets: WebSocket[]): Promise<unknown> {
  return Promise.all(sockets.map((socket) => new Promise<void>((resolve) => {
    if (socket.readyState === WebSocket.CLOSED) return resolve();
    socket.once('close', () => resolve());
    socket.close();
  })));
}
/**
 * Reconnect watching: the agents' sockets note when a connection_ack
 * arrives; after 'watch-reconnects' the first one of each socket counts.
 */
let reconnects: Map<WebSocket, number> | undefined;
/**
 * Where save → apply goes: when each agent's socket received a version's
 * frame, and when each agent posted its report of it (read off the wire, so
 * the agent itself is untouched). version → times, sent once all are in.
 */
const frameReceived = new Map<number, number[]>();
const reportPosted = new Map<number, number[]>();
function note(times: Map<number, number[]>, type: 'received' | 'reported', version: number, at: number): void {
  let list = times.get(version);
  if (!list) times.set(version, (list = []));
  list.push(at);
  if (list.length === agents.length) {
    times.delete(version);
    send({ type, version, times: list });
  }
}
/** The number after `"version":` in a frame or a report, read where it stands (no decoding, no copy, on the agents' path). */
function versionIn(data: Buffer | string): number {
  const codeAt = typeof data === 'string' ? (i: number) => data.charCodeAt(i) : (i: number) => data[i]!;
  let at = data.indexOf('"version":') + 10;
  let version = 0;
  for (let digit = codeAt(at) - 48; digit >= 0 && digit <= 9; digit = codeAt(++at) - 48) version = version * 10 + digit;
  return version;
}
class WatchedWebSocket extends WebSocket {
  constructor(address: string, protocols?: string | string[], options?: WebSocket.ClientOptions) {
    super(address, protocols, options);
    this.on('message', (data: Buffer) => {
      if (data.length > 80) {
        if (data.includes('"configChanged"')) note(frameReceived, 'received', versionIn(data), now());
        return;
      }
      if (!reconnects || !data.toString().includes('"connection_ack"') || reconnects.has(this)) return;
      reconnects.set(this, now());
      if (reconnects.size === agents.length) {
        send({ type: 'reconnected', times: [...reconnects.values()] });
        reconnects = undefined;
      }
    });
  }

  override send(data: unknown, ...rest: unknown[]): void {
    if (typeof data === 'string' && data.startsWith('{"type":"pong","payload":{"applyReport"')) note(reportPosted, 'reported', versionIn(data), now());
    (super.send as (...args: unknown[]) => void)(data, ...rest);
  }
}
/** version → apply times of this host's agents. */
const applied = new Map<number, number[]>();

function send(reply: HostReply): void {
  process.send!(reply);
}

function addAgent(command: Extract<HostCommand, { type: 'connect' }>, index: number): RuntimeAgent<typeof PARAMETER> {
  const agent = createRuntimeAgent({
    url: command.url, token: command.token, environment: 'dev', workerName: `bench-${index}`, mode: 'PAPER', consumes: [PARAMETER] as const,
    logger: silent, heartbeatIntervalMs: 120_000, stalenessBudgetMs: 120_000, webSocketImpl: WatchedWebSocket,
    onApply: (batch) => {
      const at = now();
      let times = applied.get(batch.version);
      if (!times) applied.set(batch.version, (times = []));
      times.push(at);
      // Reported once every agent here has it, so the IPC message never
      // delays one of this host's own applies.
      if (times.length === agents.length) {
        applied.delete(batch.version);
        send({ type: 'applied', version: batch.version, times });
      }
    },
  });
  agents.push(agent);
  return agent;
}

// The coordinator gone (a failed run), this host goes too: agents left
// running would load the machine under the next run.
process.on('disconnect', () => process.exit(0));

process.on('message', (command: HostCommand) => {
  void (async () => {
    switch (command.type) {
      case 'clock':
        send({ type: 'clock', at: now() });
        break;
      case 'connect':
        // All at once, as a fleet starting together would: ready() loads
        // values, registers the worker and subscribes.
        // A worker whose ready() failed for a passing cause (a timeout while
        // the whole fleet loads) calls it again, as a real one would.
        await Promise.all(Array.from({ length: command.count }, async (_, k) => {
          const agent = addAgent(command, command.firstIndex + k);
          for (let attempt = 0; ; attempt += 1) {
            try {
              return await agent.ready();
            } catch (error) {
              if (attempt >= 5) throw error;
            }
          }
        }));
        send({ type: 'connected', agents: agents.length });
        break;
      case 'watch-reconnects':
        reconnects = new Map();
        send({ type: 'watching' });
        break;
      case 'flush':
        await Promise.all(agents.map((agent) => agent.flush()));
        send({ type: 'flushed' });
        break;
      case 'raw-connect':
        for (let i = 0; i < command.count; i += 50) {
          raw.push(...await Promise.all(Array.from({ length: Math.min(50, command.count - i) }, () => openRaw(command.url))));
        }
        send({ type: 'raw-connected' });
        break;
      case 'plain-connect':
        for (let i = 0; i < command.count; i += 100) {
          plain.push(...await Promise.all(Array.from({ length: Math.min(100, command.count - i) }, () => openPlainSubscriber(command.url, command.token, command.afterVersion, onPlainVersion))));
        }
        send({ type: 'plain-connected', subscribers: plain.length });
        break;
      case 'plain-close':
        await closeAll(plain);
        plain = [];
        plainReceived.clear();
        send({ type: 'plain-closed' });
        break;
      case 'raw-send':
        // As the agents' reports leave: each after its own jitter delay.
        for (const socket of raw) setTimeout(() => socket.send(command.message), Math.random() * command.jitterMs);
        break;
      case 'raw-close':
        await closeAll(raw);
        raw = [];
        send({ type: 'raw-closed' });
        break;
      case 'profile-start':
        profiler = new Session();
        profiler.connect();
        await profiler.post('Profiler.enable');
        await profiler.post('Profiler.start');
        send({ type: 'profiling' });
        break;
      case 'profile-stop': {
        const { profile } = await profiler!.post('Profiler.stop');
        profiler!.disconnect();
        await mkdir(path.dirname(command.file), { recursive: true });
        await writeFile(command.file, JSON.stringify(profile));
        send({ type: 'profiling' });
        break;
      }
      case 'close':
        await Promise.all(agents.map((agent) => agent.close()));
        send({ type: 'closed' });
        process.disconnect();
        break;
    }
  })().catch((error: unknown) => {
    send({ type: 'failed', message: error instanceof Error ? error.stack ?? error.message : String(error) });
  });
});
