import type { RunStatus } from '../../generated/prisma/enums.ts';
import type { LegacyRunRow } from './legacy-rows.ts';

// A legacy run is history: the database takes it only ended (the run guard),
// and never before its start. The legacy status maps onto ours; a run the
// legacy tool still shows as running or queued never reported an end, so it
// arrives CANCELLED with a message saying so, its original status kept.

const succeeded = new Set(['succeeded', 'success', 'completed', 'complete', 'done', 'finished', 'ok']);
const failed = new Set(['failed', 'failure', 'error', 'errored', 'crashed']);
const cancelled = new Set(['cancelled', 'canceled', 'aborted', 'killed', 'stopped']);

export interface LegacyRunOutcome {
  status: RunStatus;
  startedAt: Date;
  endedAt: Date;
  outcomeMessage: string | null;
  /** What had to be assumed, for the report. */
  notes: string[];
}

export function legacyRunOutcome(run: LegacyRunRow, importedAt: Date): LegacyRunOutcome {
  const notes: string[] = [];
  const legacy = (run.status ?? '').trim().toLowerCase();
  let status: RunStatus;
  let outcomeMessage: string | null = null;
  if (succeeded.has(legacy)) status = 'SUCCEEDED';
  else if (failed.has(legacy)) status = 'FAILED';
  else if (cancelled.has(legacy)) status = 'CANCELLED';
  else {
    status = 'CANCELLED';
    outcomeMessage = `Imported from the legacy tool with status ${run.status === null ? 'null' : `'${run.status}'`}: it never reported an end.`;
    notes.push(`status ${run.status === null ? 'null' : `'${run.status}'`} imported as CANCELLED`);
  }
  let startedAt = run.startedAt;
  if (startedAt === null) {
    startedAt = run.endedAt ?? importedAt;
    notes.push(`no start time: ${run.endedAt ? 'its end time' : 'the import time'} used`);
  }
  let endedAt = run.endedAt;
  if (endedAt === null || endedAt < startedAt) {
    notes.push(endedAt === null ? 'no end time: its start time used' : 'end time before its start: its start time used');
    endedAt = startedAt;
  }
  return { status, startedAt, endedAt, outcomeMessage, notes };
}
