import pino, { type Logger } from 'pino';
import { censor, redactText, redactValue } from './redact-secrets.ts';

export type { Logger };

/**
 * Structured JSON logs that never carry a secret, whatever a caller passes
 * in (redact-secrets.ts): every logged object is scrubbed at any depth
 * (secret-named keys, secret formats in strings, the inputs GraphQL echoes
 * in error messages), and so is every message. The known paths stay
 * redacted too, as a second line.
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
          'headers.authorization', 'headers.cookie', 'connectionParams', 'variables', '*.variables', 'csrfToken', '*.csrfToken',
        ],
        censor,
      },
      formatters: {
        level: (label) => ({ level: label }),
        log: (object) => redactValue(object) as Record<string, unknown>,
        bindings: (bindings) => redactValue(bindings) as Record<string, unknown>,
      },
      hooks: {
        // Messages and printf arguments are text a caller built, maybe from an
        // input; the merging object (first) is formatters.log's.
        logMethod(args, method) {
          method.apply(this, args.map((arg, i) => (typeof arg === 'string' ? redactText(arg) : i > 0 ? redactValue(arg) : arg)) as Parameters<typeof method>);
        },
      },
    },
    destination,
  );
}
