import { WebSocketServer } from 'ws';
import { now, type AgentHost } from './agent-hosts.ts';
import { percentiles } from './percentiles.ts';

/**
 * The machine's own floor for reaching `size` WebSockets: a bare `ws` server
 * in this process sends one pre-serialized message of a version's size to
 * every socket, and the agent hosts timestamp its arrival on plain sockets
 * (no graphql-ws, no agent, no database). Same processes, same cores as the
 * save-to-apply figure, so the two can be read side by side.
 */
export async function measureBroadcastFloor(hosts: AgentHost[], size: number, rounds: number, payload: string) {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const url = `ws://127.0.0.1:${(server.address() as { port: number }).port}`;
  const waiting = new Map<number, { remaining: number; t0: number; samples: number[]; done: () => void }>();
  const unsubscribe = hosts.map((host) =>
    host.onStreamed((reply, from) => {
      if (reply.type !== 'raw-received') return;
      const entry = waiting.get(reply.round);
      if (!entry) return;
      for (const at of reply.times) entry.samples.push(at - from.offset - entry.t0);
      entry.remaining -= reply.times.length;
      if (entry.remaining === 0) entry.done();
    }));
  try {
    await Promise.all(hosts.map((host, i) => host.request({ type: 'raw-connect', url, count: Math.floor(size / hosts.length) + (i < size % hosts.length ? 1 : 0) }, 'raw-connected')));
    const samples: number[] = [];
    for (let round = 0; round < rounds + 3; round += 1) {
      const message = `${round}|${payload}`;
      const all = new Promise<void>((done) => waiting.set(round, { remaining: size, t0: now(), samples: round < 3 ? [] : samples, done }));
      for (const socket of server.clients) socket.send(message);
      await all;
      waiting.delete(round);
    }
    return percentiles(samples);
  } finally {
    for (const stop of unsubscribe) stop();
    await Promise.all(hosts.map((host) => host.request({ type: 'raw-close' }, 'raw-closed')));
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
