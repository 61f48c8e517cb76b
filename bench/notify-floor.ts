import pg from 'pg';
import { percentiles } from './percentiles.ts';

/**
 * The raw floor any end-to-end figure is held against: pg_notify on one
 * connection to a plain LISTEN client on another, same database, same run.
 */
export async function measureNotifyFloor(connectionString: string, events = 500) {
  const listener = new pg.Client({ connectionString });
  const sender = new pg.Client({ connectionString });
  await Promise.all([listener.connect(), sender.connect()]);
  try {
    await listener.query('LISTEN ucp_bench_floor');
    const samples: number[] = [];
    for (let i = 0; i < events; i += 1) {
      const received = new Promise<void>((resolve) => listener.once('notification', () => resolve()));
      const start = performance.now();
      await sender.query(`SELECT pg_notify('ucp_bench_floor', $1)`, [String(i)]);
      await received;
      samples.push(performance.now() - start);
    }
    return percentiles(samples);
  } finally {
    await Promise.all([listener.end(), sender.end()]);
  }
}
