import type { AgentEvent, AgentEventDetails, RuntimeAgent } from '../../src/index.ts';

/** Resolves with the next `event` whose details satisfy `match`, or rejects after `timeoutMs`. */
export function nextEvent<E extends AgentEvent>(agent: RuntimeAgent, event: E, match: (d: AgentEventDetails[E]) => boolean = () => true, timeoutMs = 10_000): Promise<AgentEventDetails[E]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`timed out after ${timeoutMs} ms waiting for ${event}`));
    }, timeoutMs);
    const off = agent.on(event, (details) => {
      if (!match(details)) return;
      clearTimeout(timer);
      off();
      resolve(details);
    });
  });
}

/** `promise`, or a rejection naming `what` after `ms`. */
export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
