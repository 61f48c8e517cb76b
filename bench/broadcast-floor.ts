import { WebSocketServer } from 'ws';
import type { AgentHost } from './agent-hosts.ts';
import { createArrivals, shareOf } from './arrivals.ts';
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
  const arrivals = createArrivals();
  const unsubscribe = hosts.map((host) =>
    host.onStreamed((reply, from) => {
      if (reply.type === 'raw-received') arrivals.add(reply.round, reply.times, from.offset);
    }));
  try {
    await Promise.all(hosts.map((host, i) => host.request({ type: 'raw-connect', url, count: shareOf(size, hosts.length, i) }, 'raw-connected')));
    const samples: number[] = [];
    for (let round = 0; round < rounds + 3; round += 1) {
      const message = `${round}|${payload}`;
      const { complete } = arrivals.start(round, size, round < 3 ? [] : samples); // the first 3 are warm-up
      for (const socket of server.clients) socket.send(message);
      await complete;
    }
    return percentiles(samples);
  } finally {
    for (const stop of unsubscribe) stop();
    await Promise.all(hosts.map((host) => host.request({ type: 'raw-close' }, 'raw-closed')));
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
