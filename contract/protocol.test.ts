import { describe, expect, it } from 'vitest';
import { FATAL_CLOSE_CODES, isFatalCloseCode, SocketCloseCode, versionStep } from './protocol.ts';

describe('distribution protocol', () => {
  it('ends a client only on refused or forbidden credentials', () => {
    expect([...FATAL_CLOSE_CODES].sort()).toEqual([4401, 4403]);
    expect(isFatalCloseCode(SocketCloseCode.Unauthorized)).toBe(true);
    expect(isFatalCloseCode(SocketCloseCode.Forbidden)).toBe(true);
    for (const retryable of [1000, 1001, 1006, SocketCloseCode.TryAgainLater, SocketCloseCode.PongTimeout, 4500]) {
      expect(isFatalCloseCode(retryable), String(retryable)).toBe(false);
    }
  });

  it('judges an event against the newest version held: duplicate, next or gap', () => {
    expect(versionStep(7, 6)).toBe('duplicate');
    expect(versionStep(7, 7)).toBe('duplicate');
    expect(versionStep(7, 8)).toBe('next');
    expect(versionStep(7, 9)).toBe('gap');
    expect(versionStep(0, 1)).toBe('next');
  });
});
