// The coordinator's side of the agent hosts (bench/agent-host.ts): fork,
// clock calibration, request/reply and streamed replies over IPC.
import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { HostCommand, HostReply } from './agent-host-protocol.ts';
import { now } from './arrivals.ts';


type Streamed = Extract<HostReply, { type: 'applied' | 'received' | 'reported' | 'raw-received' | 'plain-received' | 'reconnected' }>;

export interface AgentHost {
  readonly process: ChildProcess;
  /** Agents connected in this host. */
  agents: number;
  /** This host's clock minus the coordinator's. */
  readonly offset: number;
  request<T extends HostReply['type']>(command: HostCommand, expect: T): Promise<Extract<HostReply, { type: T }>>;
  /** Replies the host sends unasked ('applied', 'raw-received'); returns the unsubscribe. */
  onStreamed(handler: (reply: Streamed, host: AgentHost) => void): () => void;
}

export async function startAgentHost(index: number): Promise<AgentHost> {
  const child = fork(path.join(import.meta.dirname, 'agent-host.ts'), [], { execArgv: ['--import', 'tsx', ...(process.env.BENCH_HOST_ARGS ?? '').split(' ').filter(Boolean)], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const pending = new Map<string, (reply: HostReply) => void>();
  const streamed = new Set<(reply: Streamed, host: AgentHost) => void>();
  let offset = 0;
  const host: AgentHost = {
    process: child,
    agents: 0,
    get offset() {
      return offset;
    },
    request: (command, expect) => new Promise((resolve) => {
      pending.set(expect, resolve as (reply: HostReply) => void);
      child.send(command);
    }),
    onStreamed: (handler) => {
      streamed.add(handler);
      return () => streamed.delete(handler);
    },
  };
  child.on('message', (reply: HostReply) => {
    if (reply.type === 'failed') {
      // Thrown, so the run's failure handler (save-to-apply.ts) stops its server too.
      throw new Error(`agent host ${index} failed: ${reply.message}`);
    }
    if (reply.type === 'applied' || reply.type === 'received' || reply.type === 'reported' || reply.type === 'raw-received' || reply.type === 'plain-received' || reply.type === 'reconnected') {
      for (const handler of streamed) handler(reply, host);
      return;
    }
    pending.get(reply.type)?.(reply);
    pending.delete(reply.type);
  });
  // Clock offset from the round trip with the least delay (NTP's rule).
  let best = { rtt: Infinity, offset: 0 };
  for (let i = 0; i < 50; i += 1) {
    const sent = now();
    const reply = await host.request({ type: 'clock' }, 'clock');
    const received = now();
    if (received - sent < best.rtt) best = { rtt: received - sent, offset: reply.at - (sent + received) / 2 };
  }
  offset = best.offset;
  return host;
}
