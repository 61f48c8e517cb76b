import type { Worker } from '../../generated/prisma/client.ts';
import { createGroupCommit } from '../../db/group-commit.ts';
import type { SqlClient } from '../../db/sql-client.ts';
import { isUuid } from '../../../contract/is-uuid.ts';
import { AppError, badRequest, forbidden, notFound } from '../../errors/app-error.ts';
import { uniqueSorted } from './unique-sorted.ts';
import { jsonOf, readWorkers } from './worker-rows.ts';
import type { Logger } from '../../logging/create-logger.ts';
import type { Metrics } from '../../metrics/create-metrics.ts';

/** Apply report: the worker swapped version `version` in at `appliedAt` (received at `receivedAt`). */
export interface WorkerApplyReport {
  workerId: string;
  version: number;
  receivedAt: Date;
  appliedAt: Date;
  keys: string[];
  pendingRestart?: string[] | null;
}

// A parameter name never holds one; PostgreSQL refuses NUL in text outright.
const controlCharacter = /[\u0000-\u001f]/;

/** The calling token, resolved by the service. */
export interface ApplyReporter {
  tokenId: string;
  environmentName: string;
}

/**
 * What a batch is checked against, one statement of one shape for any batch
 * (its pairs as one json parameter, not a list of literals): per asked
 * (worker, version), the few worker columns the checks read, the version's
 * commit time and whether the pair is already recorded (a report re-sent
 * after its answer was lost). A version outside int4 is asked as NULL: it
 * names no version.
 */
const readStatement = `
  SELECT json_agg(json_build_array(w.id, w.name, w.token_id, w.environment_id, w.applied_version, k.version, v.created_at, a.worker_id IS NOT NULL))::text AS json
  FROM json_to_recordset($1::json) AS k(worker_id uuid, version int)
  JOIN workers w ON w.id = k.worker_id
  LEFT JOIN config_versions v ON v.environment_id = w.environment_id AND v.version = k.version
  LEFT JOIN worker_applies a ON a.worker_id = k.worker_id AND a.version = k.version`;

/** A row of `readStatement`: id, name, token, environment, applied version, asked version, its commit time, recorded. */
type ReadRow = [string, string, string | null, string, number | null, number | null, string | null, boolean];

/**
 * The batch's write, one statement (so one transaction) of one shape, its
 * reports as one json parameter (JSON.stringify, not the driver's array
 * encoding of every uuid, instant and list; instants as epoch milliseconds,
 * which is all a Date holds, rather than a text each to format and parse):
 * - the applies are inserted unless already there: a pair another replica
 *   inserted since the check (or is inserting: the unique index makes this
 *   wait for its commit) is not inserted again; ordered, so two replicas take
 *   the index's locks in the same order;
 * - each worker with an apply inserted here moves to the version of its last
 *   such report (submission order, `ord`), with the last pending-restart list
 *   any of them carried (none keeps the stored one); the guard keeps a
 *   concurrent, newer report from being overwritten by an older one.
 * Returns the pairs inserted here (a data-modifying CTE runs whether or not
 * the outer query reads it): the answers are ids, and the workers a caller
 * wants whole are read after the commit.
 */
const writeStatement = `
  WITH r AS (
    SELECT worker_id, version, to_timestamp(received_ms / 1000) AS received_at, to_timestamp(applied_ms / 1000) AS applied_at, latency_ms, keys, pending_restart, ord
    FROM json_to_recordset($1::json)
      AS j(worker_id uuid, version int, received_ms float8, applied_ms float8, latency_ms float8, keys text[], pending_restart text[], ord int)
  ), written AS (
    INSERT INTO worker_applies (worker_id, version, received_at, applied_at, latency_ms, keys)
    SELECT worker_id, version, received_at, applied_at, latency_ms, keys FROM r
    ORDER BY worker_id, version
    ON CONFLICT (worker_id, version) DO NOTHING
    RETURNING worker_id, version
  ), mine AS (
    SELECT r.* FROM r JOIN written USING (worker_id, version)
  ), final AS (
    SELECT DISTINCT ON (m.worker_id) m.worker_id, m.version, m.applied_at,
      (SELECT p.pending_restart FROM mine p WHERE p.worker_id = m.worker_id AND p.pending_restart IS NOT NULL ORDER BY p.ord DESC LIMIT 1) AS pending_restart
    FROM mine m ORDER BY m.worker_id, m.ord DESC
  ), moved AS (
    UPDATE workers w SET
      applied_version = f.version,
      received_version = GREATEST(f.version, COALESCE(w.received_version, 0)),
      last_applied_at = f.applied_at,
      last_heartbeat_at = now(),
      pending_restart = COALESCE(f.pending_restart, w.pending_restart)
    FROM final f
    WHERE w.id = f.worker_id AND (w.applied_version IS NULL OR w.applied_version <= f.version)
    RETURNING w.id
  )
  SELECT json_agg(json_build_array(worker_id, version))::text AS json FROM written`;

/**
 * A batch whose reports name distinct workers (a version's fleet reporting,
 * the usual batch): checked and written in one statement, so one round trip
 * and one transaction. It reads what `readStatement` reads and writes what
 * `writeStatement` writes, for the reports that pass the same checks, judged
 * in SQL on the statement's snapshot: the worker's token, the version's
 * existence, not recorded yet, not older than the worker's applied version,
 * and `valid` (the checks that need no row, made before). With one report per
 * worker, the submission order the two-statement path keeps does not change
 * a verdict. Returns the read's rows, each with whether this statement
 * inserted its pair; the caller judges the rows as the two-statement path
 * does, and reaches the same verdicts from the same snapshot.
 */
const checkedWriteStatement = `
  WITH k AS (
    SELECT * FROM json_to_recordset($1::json)
      AS j(worker_id uuid, version int, token_id text, valid boolean, received_ms float8, applied_ms float8, keys text[], pending_restart text[])
  ), c AS (
    SELECT k.*, w.name, w.token_id::text AS owner, w.environment_id, w.applied_version, v.created_at, a.worker_id IS NOT NULL AS recorded
    FROM k
    JOIN workers w ON w.id = k.worker_id
    LEFT JOIN config_versions v ON v.environment_id = w.environment_id AND v.version = k.version
    LEFT JOIN worker_applies a ON a.worker_id = k.worker_id AND a.version = k.version
  ), ok AS (
    SELECT * FROM c
    WHERE valid AND owner = token_id AND created_at IS NOT NULL AND NOT recorded AND (applied_version IS NULL OR version >= applied_version)
  ), written AS (
    INSERT INTO worker_applies (worker_id, version, received_at, applied_at, latency_ms, keys)
    SELECT worker_id, version, to_timestamp(received_ms / 1000), to_timestamp(applied_ms / 1000),
      GREATEST(0, applied_ms - floor(extract(epoch FROM created_at) * 1000)::float8), keys
    FROM ok
    ORDER BY worker_id, version
    ON CONFLICT (worker_id, version) DO NOTHING
    RETURNING worker_id, version
  ), moved AS (
    UPDATE workers w SET
      applied_version = ok.version,
      received_version = GREATEST(ok.version, COALESCE(w.received_version, 0)),
      last_applied_at = to_timestamp(ok.applied_ms / 1000),
      last_heartbeat_at = now(),
      pending_restart = COALESCE(ok.pending_restart, w.pending_restart)
    FROM ok JOIN written USING (worker_id, version)
    WHERE w.id = ok.worker_id AND (w.applied_version IS NULL OR w.applied_version <= ok.version)
    RETURNING w.id
  )
  SELECT json_agg(json_build_array(c.worker_id, c.name, c.owner, c.environment_id, c.applied_version, c.version, c.created_at, c.recorded, written.worker_id IS NOT NULL))::text AS json
  FROM c LEFT JOIN written ON written.worker_id = c.worker_id AND written.version = c.version`;

/**
 * Records apply reports: one row per applied version (the save-to-apply
 * latency) and the worker's applied version. Every save makes every worker
 * report at once, so reports are group-committed: a thousand of them cost a
 * handful of queries, not a thousand transactions. A report is idempotent (a
 * version re-reported after a lost answer is recorded once) and never moves
 * a worker back, across replicas too: the same report reaching two server
 * processes at the same instant (a retry through a load balancer) is inserted
 * by one of them only (unique (worker_id, version), ON CONFLICT DO NOTHING),
 * and only that one moves the worker and observes the latency.
 */
export function createApplyReportWriter({ sql, logger, metrics, gatherMs = 50 }: {
  sql: SqlClient;
  logger: Logger;
  metrics: Metrics;
  /** How long a batch waits for more reports once the first arrives (group-commit.ts). */
  gatherMs?: number;
}) {
  /** `whole`: the caller answers with the worker as it now stands (read after the commit); otherwise its id is the answer. */
  type Item = { reporter: ApplyReporter; report: WorkerApplyReport; whole: boolean };
  type Checked = { id: string; name: string; tokenId: string | null; environmentId: string };
  type Accepted = { item: Item; worker: Checked; latencyMs: number };
  type Answer = Worker | string;

  // Ids as PostgreSQL returns them: a report may spell a uuid in capitals.
  const idOf = (report: WorkerApplyReport) => report.workerId.toLowerCase();
  // A version outside int4 names no version (refused as not existing).
  const versionOf = (report: WorkerApplyReport) => (Number.isInteger(report.version) && report.version >= 1 && report.version <= 2_147_483_647 ? report.version : null);

  /** The checks that need no row: a report they refuse is never written. */
  function refusedAlone(report: WorkerApplyReport): AppError | undefined {
    if (report.appliedAt < report.receivedAt) return badRequest('appliedAt is before receivedAt.', { field: 'appliedAt' });
    for (const field of ['keys', 'pendingRestart'] as const) {
      if (report[field]?.some((name) => controlCharacter.test(name))) return badRequest(`${field} holds parameter names, without control characters.`, { field });
    }
    return undefined;
  }

  const writeRow = (report: WorkerApplyReport, workerId: string) => ({
    worker_id: workerId, version: report.version,
    received_ms: report.receivedAt.getTime(), applied_ms: report.appliedAt.getTime(),
    keys: uniqueSorted(report.keys), pending_restart: report.pendingRestart == null ? null : uniqueSorted(report.pendingRestart),
  });

  async function flush(items: readonly Item[]): Promise<(Answer | Error)[]> {
    const asked = items.filter(({ report }) => isUuid(report.workerId));
    // One report per worker (a version's fleet): checked and written in one
    // statement. Otherwise read, judged in submission order, then written.
    const distinct = new Set(asked.map(({ report }) => idOf(report))).size === asked.length;
    let found: ReadRow[];
    let inserted: Set<string> | undefined;
    if (distinct && asked.length > 0) {
      const rows = (await jsonOf<[...ReadRow, boolean][]>(sql, checkedWriteStatement, [
        JSON.stringify(asked.map(({ reporter, report }) => ({
          ...writeRow(report, idOf(report)), version: versionOf(report), token_id: reporter.tokenId, valid: refusedAlone(report) === undefined,
        }))),
      ])) ?? [];
      found = rows.map((row) => row.slice(0, 8) as ReadRow);
      inserted = new Set(rows.filter((row) => row[8]).map((row) => `${row[0]}:${row[5]}`));
    } else {
      found = asked.length === 0 ? [] : (await jsonOf<ReadRow[]>(sql, readStatement, [
        JSON.stringify(asked.map(({ report }) => ({ worker_id: idOf(report), version: versionOf(report) }))),
      ])) ?? [];
    }
    const workers = new Map<string, Checked>();
    // Checked in submission order against the state the batch has reached,
    // so two reports of one worker in a batch behave as they would one by one.
    const applied = new Map<string, number | null>();
    const createdAt = new Map<string, number>();
    const seen = new Set<string>();
    for (const [id, name, tokenId, environmentId, appliedVersion, version, committedAt, recorded] of found) {
      if (!workers.has(id)) {
        workers.set(id, { id, name, tokenId, environmentId });
        applied.set(id, appliedVersion);
      }
      if (version === null) continue;
      const versionKey = `${environmentId}:${version}`;
      // Every worker of a batch reports the same version or two: parsed once.
      if (committedAt !== null && !createdAt.has(versionKey)) createdAt.set(versionKey, Date.parse(committedAt));
      if (recorded) seen.add(`${id}:${version}`);
    }

    const outcomes: (Accepted | string | Error)[] = items.map((item) => {
      const { reporter, report } = item;
      const worker = workers.get(idOf(report));
      if (!worker) return notFound('Worker', report.workerId);
      if (worker.tokenId !== reporter.tokenId) return forbidden(`Worker ${worker.name} belongs to another service token.`);
      const refusal = refusedAlone(report);
      if (refusal) return refusal;
      const savedAt = createdAt.get(`${worker.environmentId}:${report.version}`);
      if (savedAt === undefined) return badRequest(`Version ${report.version} does not exist in ${reporter.environmentName}.`, { field: 'version' });
      // A re-sent report (its answer or its confirmation was lost) is
      // accepted once, even after newer ones: an agent re-sends what it
      // could not confirm, in order, behind reports already recorded.
      const key = `${worker.id}:${report.version}`;
      if (seen.has(key)) return worker.id;
      const appliedVersion = applied.get(worker.id) ?? null;
      if (appliedVersion !== null && report.version < appliedVersion) {
        return new AppError('CONFLICT', `Worker ${worker.name} already applied version ${appliedVersion}; versions are applied in order.`, { appliedVersion });
      }
      seen.add(key);
      applied.set(worker.id, report.version);
      return { item, worker, latencyMs: Math.max(0, report.appliedAt.getTime() - savedAt) };
    });

    const accepted = outcomes.filter((o): o is Accepted => typeof o === 'object' && 'latencyMs' in o);
    if (!inserted) {
      inserted = new Set();
      if (accepted.length > 0) {
        const written = await jsonOf<[string, number][]>(sql, writeStatement, [
          JSON.stringify(accepted.map(({ item: { report }, worker, latencyMs }, ord) => ({ ...writeRow(report, worker.id), latency_ms: latencyMs, ord }))),
        ]);
        for (const [workerId, version] of written ?? []) inserted.add(`${workerId}:${version}`);
      }
    }

    // One log line per environment and version a batch recorded (a save
    // makes every worker report at once: a thousand lines per version said
    // nothing the worker_applies rows do not); the histogram per report.
    // A pair another replica recorded in the meantime is accepted, counted there.
    const logLines = new Map<string, { env: string; version: number; workers: number; min: number; max: number }>();
    for (const { item: { report, reporter }, worker, latencyMs } of accepted) {
      if (!inserted.has(`${worker.id}:${report.version}`)) continue;
      metrics.distributionLatency.observe({ environment: reporter.environmentName }, latencyMs / 1000);
      const key = `${reporter.environmentName}:${report.version}`;
      const line = logLines.get(key);
      if (line) {
        line.workers += 1;
        line.min = Math.min(line.min, latencyMs);
        line.max = Math.max(line.max, latencyMs);
      } else {
        logLines.set(key, { env: reporter.environmentName, version: report.version, workers: 1, min: latencyMs, max: latencyMs });
      }
    }
    for (const { env, version, workers: count, min, max } of logLines.values()) {
      logger.info({ event: 'config_version_applied', env, config_version: version, workers: count, latency_ms_min: min, latency_ms_max: max }, 'workers applied a version');
    }

    const ids = outcomes.map((o) => (o instanceof Error ? o : typeof o === 'string' ? o : o.worker.id));
    // A caller answering with the worker reads it after the write's commit:
    // as it now stands (another replica may have moved it since).
    const wanted = [...new Set(ids.filter((id, i): id is string => typeof id === 'string' && items[i]!.whole))];
    const now = await readWorkers(sql, wanted);
    return ids.map((id, i) => (typeof id !== 'string' || !items[i]!.whole ? id : now.get(id) ?? notFound('Worker', id)));
  }

  // Agents spread their reports over a quarter of a second (their jitter):
  // gathered for a few milliseconds, a version's thousand reports are a
  // handful of batches rather than one small batch per I/O turn. The recorded
  // latency is the agent's own timestamps, untouched by the wait.
  const commits = createGroupCommit(flush, { gatherMs });
  return {
    /** Records the report; answers with the worker as it now stands. */
    record: (reporter: ApplyReporter, report: WorkerApplyReport) => commits.submit({ reporter, report, whole: true }) as Promise<Worker>,
    /** Records the report; answers with the worker's id only (nothing read after the write). */
    recordId: (reporter: ApplyReporter, report: WorkerApplyReport) => commits.submit({ reporter, report, whole: false }) as Promise<string>,
    drained: () => commits.drained(),
  };
}

export type ApplyReportWriter = ReturnType<typeof createApplyReportWriter>;
