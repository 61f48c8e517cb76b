import { describe, expect, it, vi } from 'vitest';
import { AgentEvent, AgentStatus, StatusMachine } from '../src/status.ts';
import { recordingLogger } from './support/recording-logger.ts';

describe('status machine', () => {
  it('starts NOT_READY and emits one event per transition', () => {
    const machine = new StatusMachine(recordingLogger());
    const seen: string[] = [];
    machine.on(AgentEvent.Ready, (d) => void seen.push(d.status));
    machine.on(AgentEvent.Stale, (d) => void seen.push(d.status));
    expect(machine.status).toBe(AgentStatus.NotReady);
    machine.transition(AgentStatus.Ready);
    machine.transition(AgentStatus.Ready);
    machine.transition(AgentStatus.Stale);
    machine.transition(AgentStatus.Ready);
    expect(seen).toEqual(['READY', 'STALE', 'READY']);
  });

  it('a fatal ERROR is terminal', () => {
    const machine = new StatusMachine(recordingLogger());
    machine.transition(AgentStatus.Error, { fatal: true, message: 'refused' });
    expect(machine.transition(AgentStatus.Ready)).toBe(false);
    expect(machine.status).toBe(AgentStatus.Error);
  });

  it('a throwing or rejecting handler neither stops the others nor the emitter', async () => {
    const logger = recordingLogger();
    const machine = new StatusMachine(logger);
    const after = vi.fn();
    machine.on(AgentEvent.ConfigurationChanged, () => {
      throw new Error('worker bug');
    });
    machine.on(AgentEvent.ConfigurationChanged, async () => {
      throw new Error('async worker bug');
    });
    machine.on(AgentEvent.ConfigurationChanged, after);
    const details = { version: 2, previousVersion: 1, changedKeys: ['A'], pendingRestart: [], receivedAt: new Date(), appliedAt: new Date() };
    expect(() => machine.emit(AgentEvent.ConfigurationChanged, details)).not.toThrow();
    machine.emit(AgentEvent.ConfigurationChanged, { ...details, version: 3 });
    expect(after).toHaveBeenCalledTimes(2);
    await Promise.resolve();
    expect(logger.events('runtime_agent_handler_failed')).toHaveLength(4);
  });

  it('on() returns the function that removes the handler', () => {
    const machine = new StatusMachine(recordingLogger());
    const handler = vi.fn();
    const off = machine.on(AgentEvent.Stale, handler);
    off();
    machine.transition(AgentStatus.Stale);
    expect(handler).not.toHaveBeenCalled();
  });
});
