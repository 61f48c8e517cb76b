import pg from 'pg';
import { WebSocketServer } from 'ws';
import type { AgentHost } from './agent-hosts.ts';
import { shareOf } from './arrivals.ts';

/**
 * The apply reports' floor: a bare `ws` server in this process receiving one
 * report-sized message from each of `size` plain sockets (sent after the
 * agents' jitter), parsing it, and group-committing the parsed reports with
 * plain `pg` (one INSERT of a json_to_recordset per 50 ms gather, into a
 * table shaped like worker_applies) until every one is committed. Returns
 * this process's CPU per round: what receiving and durably recording a
 * fleet's reports costs with nothing of ours in the way.
 */
export async function measureReportFloor({ hosts, databaseUrl, size, rounds, message, jitterMs = 250, gatherMs = 50 }: {
  hosts: AgentHost[];
  databaseUrl: string;
  size: number;
  rounds: number;
  /** One report as an agent sends it (the posted pong). */
  message: string;
  jitterMs?: number;
  gatherMs?: number;
}): Promise<{ cpuPerRoundMs: number }> {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const url = `ws://127.0.0.1:${(server.address() as { port: number }).port}`;
  const db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  await db.query(`CREATE TABLE IF NOT EXISTS bench_report_floor (
    worker_id uuid, version int, received_at timestamptz, applied_at timestamptz, latency_ms float8, keys text[], PRIMARY KEY (worker_id, version))`);
  let batch: Record<string, unknown>[] = [];
  let timer: NodeJS.Timeout | undefined;
  let committed = 0;
  let roundDone: (() => void) | undefined;
  let sequence = 0;
  const flush = async () => {
    timer = undefined;
    const rows = batch;
    batch = [];
    await db.query(`INSERT INTO bench_report_floor SELECT * FROM json_to_recordset($1::json)
      AS r(worker_id uuid, version int, received_at timestamptz, applied_at timestamptz, latency_ms float8, keys text[])`, [JSON.stringify(rows)]);
    committed += rows.length;
    if (committed >= size) roundDone?.();
  };
  server.on('connection', (socket) => {
    socket.on('message', (data) => {
      const { input } = (JSON.parse(String(data)) as { payload: { applyReport: { input: Record<string, unknown> } } }).payload.applyReport;
      // Each report its own row (a fresh key per message).
      sequence += 1;
      batch.push({
        worker_id: `00000000-0000-4000-8000-${String(sequence).padStart(12, '0')}`, version: input.version,
        received_at: input.receivedAt, applied_at: input.appliedAt, latency_ms: 1, keys: input.keys,
      });
      timer ??= setTimeout(() => void flush(), gatherMs);
    });
  });
  try {
    await Promise.all(hosts.map((host, i) => host.request({ type: 'raw-connect', url, count: shareOf(size, hosts.length, i) }, 'raw-connected')));
    let cpu = 0;
    for (let round = 0; round < rounds + 3; round += 1) {
      committed = 0;
      const done = new Promise<void>((resolve) => (roundDone = resolve));
      const cpu0 = process.cpuUsage();
      for (const host of hosts) host.process.send({ type: 'raw-send', message, jitterMs });
      await done;
      const cpu1 = process.cpuUsage(cpu0);
      if (round >= 3) cpu += (cpu1.user + cpu1.system) / 1000;
    }
    return { cpuPerRoundMs: cpu / rounds };
  } finally {
    await Promise.all(hosts.map((host) => host.request({ type: 'raw-close' }, 'raw-closed')));
    await db.query('DROP TABLE bench_report_floor');
    await db.end();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
