import { describe, expect, it } from 'vitest';
import { ApplyScheduler, FORBIDDEN_SECTION_EVENT, type ApplyBatch } from '../src/apply-scheduler.ts';
import { Boundary } from '../../contract/catalog.ts';
import { recordingLogger } from './support/recording-logger.ts';

const boundaries: Record<string, Boundary> = {
  THRESHOLD_A: Boundary.CycleEnd,
  FLAG_B: Boundary.CycleEnd,
  RISK_C: Boundary.NoPosition,
  MODEL_D: Boundary.Restart,
};
const bootValues = { THRESHOLD_A: '0.5', FLAG_B: 'true', RISK_C: '100', MODEL_D: 'xgb' };

function setup() {
  const logger = recordingLogger();
  const applies: (ApplyBatch & { state: { inCycle: boolean; critical: number; positions: number } })[] = [];
  const scheduler: ApplyScheduler = new ApplyScheduler({
    appliedVersion: 1,
    bootValues,
    boundaryOf: (name) => boundaries[name],
    logger,
    onApply: (batch) => applies.push({ ...batch, state: { inCycle: scheduler.inCycle, critical: scheduler.criticalDepth, positions: scheduler.openPositions } }),
  });
  let version = 1;
  const receive = (changes: Record<string, string>) => {
    version += 1;
    scheduler.receive({ version, changes: Object.entries(changes).map(([name, value]) => ({ name, value })), receivedAt: new Date() });
    return version;
  };
  return { scheduler, applies, logger, receive };
}

describe('apply scheduler', () => {
  it('carries the commit time of the version it applies (the start of the save-to-apply latency)', () => {
    const { scheduler, applies } = setup();
    const saved = (s: number) => new Date(Date.UTC(2026, 11, 1, 10, 0, s));
    scheduler.cycleStart();
    scheduler.receive({ version: 2, changes: [{ name: 'THRESHOLD_A', value: '0.6' }], receivedAt: new Date(), createdAt: saved(1) });
    scheduler.receive({ version: 3, changes: [{ name: 'FLAG_B', value: 'false' }], receivedAt: new Date(), createdAt: saved(2) });
    scheduler.cycleEnd();
    scheduler.receive({ version: 4, changes: [{ name: 'THRESHOLD_A', value: '0.7' }], receivedAt: new Date() });
    // Versions 2 and 3 land together as 3: its commit time; a version whose commit time is unknown has none.
    expect(applies.map((a) => [a.version, a.createdAt])).toEqual([[3, saved(2)], [4, undefined]]);
  });

  it('applies at once when the worker is between cycles', () => {
    const { scheduler, applies, receive } = setup();
    receive({ THRESHOLD_A: '0.6' });
    expect(applies).toHaveLength(1);
    expect(applies[0]).toMatchObject({ version: 2, previousVersion: 1 });
    expect([...applies[0]!.changes]).toEqual([['THRESHOLD_A', '0.6']]);
    expect(scheduler.appliedVersion).toBe(2);
  });

  it('holds a change received inside a cycle until cycleEnd()', () => {
    const { scheduler, applies, receive } = setup();
    scheduler.cycleStart();
    receive({ THRESHOLD_A: '0.6' });
    expect(applies).toHaveLength(0);
    expect(scheduler.receivedVersion).toBe(2);
    expect(scheduler.appliedVersion).toBe(1);
    scheduler.cycleEnd();
    expect(applies.map((a) => a.version)).toEqual([2]);
  });

  it('a newer value replaces a queued one: one pending apply per parameter', () => {
    const { scheduler, applies, receive } = setup();
    scheduler.cycleStart();
    receive({ THRESHOLD_A: '0.6' });
    receive({ THRESHOLD_A: '0.7', FLAG_B: 'false' });
    receive({ THRESHOLD_A: '0.8' });
    expect(scheduler.pending.map((p) => [p.name, p.value, p.version])).toEqual([
      ['THRESHOLD_A', '0.8', 4],
      ['FLAG_B', 'false', 3],
    ]);
    scheduler.cycleEnd();
    expect(applies).toHaveLength(1);
    expect(applies[0]!.version).toBe(4);
    expect(Object.fromEntries(applies[0]!.changes)).toEqual({ THRESHOLD_A: '0.8', FLAG_B: 'false' });
  });

  it('never applies inside a critical section, even between cycles; sections nest', async () => {
    const { scheduler, applies, receive } = setup();
    scheduler.enterCriticalSection();
    scheduler.enterCriticalSection();
    receive({ THRESHOLD_A: '0.6' });
    scheduler.exitCriticalSection();
    expect(applies).toHaveLength(0);
    scheduler.exitCriticalSection();
    expect(applies).toHaveLength(1);
    await scheduler.withCriticalSection(() => {
      receive({ FLAG_B: 'false' });
      expect(applies).toHaveLength(1);
    });
    expect(applies).toHaveLength(2);
  });

  it('a risk limit under an open position waits for the close and the next heartbeat, whichever is later', () => {
    const { scheduler, applies, receive } = setup();
    scheduler.positionOpened();
    receive({ RISK_C: '200' });
    scheduler.heartbeat(); // heartbeat first …
    expect(applies).toHaveLength(0);
    scheduler.positionClosed(); // … then the close: applies at the close
    expect(applies.map((a) => a.version)).toEqual([2]);

    scheduler.positionOpened();
    receive({ RISK_C: '300' });
    scheduler.positionClosed(); // close first …
    expect(applies).toHaveLength(1);
    scheduler.heartbeat(); // … then the heartbeat
    expect(applies.map((a) => a.version)).toEqual([2, 3]);
  });

  it('a risk limit received while flat applies at the next cycle end, like a threshold', () => {
    const { scheduler, applies, receive } = setup();
    scheduler.cycleStart();
    receive({ RISK_C: '200' });
    scheduler.cycleEnd();
    expect(applies.map((a) => a.version)).toEqual([2]);
  });

  it('versions apply in order and whole: a held risk limit holds back later versions', () => {
    const { scheduler, applies, receive } = setup();
    scheduler.positionOpened();
    receive({ THRESHOLD_A: '0.6' }); // v2: applies (no cycle)
    receive({ RISK_C: '200' }); // v3: held by the position
    receive({ THRESHOLD_A: '0.7' }); // v4: behind v3
    expect(applies.map((a) => a.version)).toEqual([2]);
    scheduler.cycleStart();
    scheduler.cycleEnd();
    expect(applies.map((a) => a.version)).toEqual([2]);
    scheduler.heartbeat();
    scheduler.positionClosed();
    expect(applies.map((a) => a.version)).toEqual([2, 4]);
    expect(Object.fromEntries(applies[1]!.changes)).toEqual({ RISK_C: '200', THRESHOLD_A: '0.7' });
  });

  it('a version that touches no consumed parameter still advances the applied version', () => {
    const { scheduler, applies, receive } = setup();
    receive({ SOMEONE_ELSES: 'x' });
    expect(applies.map((a) => [a.version, a.changes.size])).toEqual([[2, 0]]);
    expect(scheduler.appliedVersion).toBe(2);
  });

  it('never applies a restart-required parameter; flags it, and clears the flag when it returns to the boot value', () => {
    const { scheduler, applies, receive } = setup();
    receive({ MODEL_D: 'lgbm' });
    expect(applies).toHaveLength(1);
    expect(applies[0]!.changes.size).toBe(0);
    expect(applies[0]!.pendingRestart).toEqual(['MODEL_D']);
    expect(scheduler.pendingRestart).toEqual(['MODEL_D']);
    expect(scheduler.latestValues().get('MODEL_D')).toBe('lgbm');
    receive({ MODEL_D: 'xgb' });
    expect(scheduler.pendingRestart).toEqual([]);
  });

  it('refuses versions out of order and boundary misuse', () => {
    const { scheduler, receive } = setup();
    receive({});
    expect(() => scheduler.receive({ version: 2, changes: [], receivedAt: new Date() })).toThrow(/must increase/);
    expect(() => scheduler.cycleEnd()).toThrow(/without cycleStart/);
    scheduler.cycleStart();
    expect(() => scheduler.cycleStart()).toThrow(/do not nest/);
    expect(() => scheduler.positionClosed()).toThrow(/no position/);
    expect(() => scheduler.exitCriticalSection()).toThrow(/without enter/);
  });

  it('a stream of notifications during cycles, positions and sections: no apply ever lands in one, in order, none lost', () => {
    // Deterministic pseudo-random walk (no Math.random: a failure must replay).
    let seed = 42;
    const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
    const { scheduler, applies, logger, receive } = setup();
    const expected: Record<string, string> = { ...bootValues };
    const names = Object.keys(boundaries);
    let lastVersion = 1;
    for (let step = 0; step < 5_000; step += 1) {
      const roll = random();
      if (roll < 0.3) {
        const name = names[Math.floor(random() * names.length)] as string;
        const value = String(Math.floor(random() * 1_000));
        lastVersion = receive({ [name]: value });
        expected[name] = value;
      } else if (roll < 0.45) {
        if (scheduler.inCycle) scheduler.cycleEnd();
        else scheduler.cycleStart();
      } else if (roll < 0.55) {
        if (scheduler.openPositions > 0 && random() < 0.6) scheduler.positionClosed();
        else if (scheduler.openPositions < 3) scheduler.positionOpened();
      } else if (roll < 0.65) {
        if (scheduler.criticalDepth > 0 && random() < 0.6) scheduler.exitCriticalSection();
        else scheduler.enterCriticalSection();
      } else if (roll < 0.7) {
        scheduler.heartbeat();
      }
    }
    for (const batch of applies) {
      expect(batch.state.inCycle).toBe(false);
      expect(batch.state.critical).toBe(0);
      if (batch.changes.has('RISK_C')) expect(batch.state.positions).toBe(0);
      expect(batch.changes.has('MODEL_D')).toBe(false);
    }
    const versions = applies.map((a) => a.version);
    expect(versions).toEqual([...versions].sort((a, b) => a - b));
    expect(new Set(versions).size).toBe(versions.length);
    expect(applies.length).toBeGreaterThan(50);
    expect(applies.some((a) => a.changes.has('RISK_C'))).toBe(true);
    expect(logger.events(FORBIDDEN_SECTION_EVENT)).toEqual([]);

    // Drain: leave every section, close every position, heartbeat → everything lands.
    if (scheduler.inCycle) scheduler.cycleEnd();
    while (scheduler.criticalDepth > 0) scheduler.exitCriticalSection();
    while (scheduler.openPositions > 0) scheduler.positionClosed();
    scheduler.heartbeat();
    expect(scheduler.appliedVersion).toBe(lastVersion);
    const visible: Record<string, string> = { ...bootValues };
    for (const batch of applies) for (const [name, value] of batch.changes) visible[name] = value;
    expect(visible).toEqual({ ...expected, MODEL_D: bootValues.MODEL_D });
    expect(scheduler.pendingRestart).toEqual(expected.MODEL_D === bootValues.MODEL_D ? [] : ['MODEL_D']);
  });
});
