/** The pino-compatible subset the agent logs through (`logger.child` is not needed). */
export interface AgentLogger {
  debug(fields: Record<string, unknown>, message?: string): void;
  info(fields: Record<string, unknown>, message?: string): void;
  warn(fields: Record<string, unknown>, message?: string): void;
  error(fields: Record<string, unknown>, message?: string): void;
}

/**
 * Without a logger, warnings and errors still go to stderr as JSON lines: a
 * `config_change_applied_in_forbidden_section` must never vanish silently.
 */
export function defaultLogger(): AgentLogger {
  const write = (level: string) => (fields: Record<string, unknown>, message?: string) => {
    process.stderr.write(`${JSON.stringify({ level, time: new Date().toISOString(), ...fields, msg: message })}\n`);
  };
  const ignore = () => {};
  return { debug: ignore, info: ignore, warn: write('warn'), error: write('error') };
}

/** One structured log line of the agent: the event name, then its fields (the agent adds env and worker). */
export type AgentLog = (level: 'debug' | 'info' | 'warn' | 'error', event: string, fields?: Record<string, unknown>) => void;
