import pino, { type Logger } from 'pino';

export type { Logger };

/**
 * Structured JSON logs. Credentials can appear in request headers, connection
 * params and mutation variables; redaction is by path so they never reach a
 * log line, whatever a caller passes in.
 */
export function createLogger({ level = 'info', destination }: { level?: string; destination?: pino.DestinationStream } = {}): Logger {
  return pino(
    {
      level,
      base: { service: 'ucp' },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: {
        paths: [
          'password', '*.password', 'token', '*.token', 'authorization', '*.authorization',
          'headers.authorization', 'headers.cookie', 'connectionParams', 'variables.password',
          'variables.input.password', 'csrfToken', '*.csrfToken',
        ],
        censor: '[redacted]',
      },
      formatters: { level: (label) => ({ level: label }) },
    },
    destination,
  );
}
