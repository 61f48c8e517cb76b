import type { AgentLogger } from '../../src/logger.ts';

export interface RecordingLogger extends AgentLogger {
  entries: { level: string; fields: Record<string, unknown>; message?: string }[];
  /** The entries whose `event` field is `event`. */
  events(event: string): Record<string, unknown>[];
}

/** A logger that keeps every entry, so tests can assert what was (never) logged. */
export function recordingLogger(): RecordingLogger {
  const entries: RecordingLogger['entries'] = [];
  const at = (level: string) => (fields: Record<string, unknown>, message?: string) => void entries.push({ level, fields, message });
  return {
    entries,
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    events: (event) => entries.filter((e) => e.fields.event === event).map((e) => e.fields),
  };
}
