import type { CombinedError } from 'urql';
import { isRetryableErrorCode, type ErrorCode } from '../../../contract/error-codes.ts';

/** The codes the API puts in extensions.code, plus what the browser itself can hit. */
export type ApiErrorCode = ErrorCode | 'NETWORK' | 'UNKNOWN';

export interface ApiViolation {
  code: string;
  message: string;
  parameter?: string | null;
  rule?: string | null;
  /** The form field concerned when it is not a parameter (e.g. expression, maxValue, endsAt). */
  field?: string | null;
  /** The environment whose current values the violation concerns. */
  environment?: string | null;
}

/** An API failure sorted by what it is about, so each sentence can sit next to its field. */
export interface DescribedError {
  code: ApiErrorCode;
  /** Sending the same request again later may succeed (the server or its database was briefly away). */
  retryable: boolean;
  /** The sentence for the form as a whole (next to the submit button). */
  summary: string;
  /** Sentences about one parameter each. */
  byParameter: Map<string, string[]>;
  /** Sentences about one cross-parameter rule each. */
  byRule: Map<string, string>;
  /** Sentences about one form field each (violation.field). */
  byField: Map<string, string[]>;
  currentVersion?: number;
  frozen?: { reason: string; endsAt: string };
  approvalParameters?: string[];
}

const formatTime = (iso: string) => {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
};

function add(map: Map<string, string[]>, key: string, sentence: string) {
  const list = map.get(key) ?? [];
  if (!list.includes(sentence)) list.push(sentence);
  map.set(key, list);
}

/**
 * Turns a urql error into sentences a person understands. The server's
 * messages are already written for operators; this adds what to do next and
 * sorts violations by parameter and rule.
 */
export function describeApiError(error: CombinedError): DescribedError {
  const byParameter = new Map<string, string[]>();
  const byRule = new Map<string, string>();
  const byField = new Map<string, string[]>();
  if (error.networkError && error.graphQLErrors.length === 0) {
    return { code: 'NETWORK', retryable: true, summary: 'The server could not be reached. Check your connection and try again; nothing was saved.', byParameter, byRule, byField };
  }
  const first = error.graphQLErrors[0];
  const extensions = (first?.extensions ?? {}) as Record<string, unknown>;
  const code = (typeof extensions.code === 'string' ? extensions.code : 'UNKNOWN') as ApiErrorCode;
  const message = first?.message ?? error.message;
  const described: DescribedError = { code, retryable: isRetryableErrorCode(code), summary: message, byParameter, byRule, byField };

  switch (code) {
    case 'UNAUTHENTICATED':
      described.summary = 'Your session has ended. Sign in again to continue; your unsaved edits stay on this page.';
      break;
    case 'FORBIDDEN':
      described.summary = `Your role does not allow this: ${message}`;
      break;
    case 'VALIDATION_FAILED':
    case 'DEPRECATED': {
      const violations = Array.isArray(extensions.violations) ? (extensions.violations as ApiViolation[]) : [];
      for (const violation of violations) {
        if (violation.field) add(byField, violation.field, violation.message);
        if (violation.parameter) add(byParameter, violation.parameter, violation.message);
        else if (violation.rule && !violation.field) byRule.set(violation.rule, violation.message);
      }
      described.summary =
        violations.length === 0
          ? message
          : code === 'DEPRECATED'
            ? 'Some values are deprecated: fix the fields marked below and save again.'
            : `The server refused ${violations.length === 1 ? 'one value or rule' : `${violations.length} values or rules`}: fix what is marked below and save again.`;
      break;
    }
    case 'VERSION_CONFLICT': {
      const current = typeof extensions.currentVersion === 'number' ? extensions.currentVersion : undefined;
      described.currentVersion = current;
      described.summary = `Someone else saved${current !== undefined ? ` version ${current}` : ''} while you were editing. The page now shows the new state with your edits kept; review the recomputed diff and save again.`;
      break;
    }
    case 'FROZEN': {
      const reason = typeof extensions.reason === 'string' ? extensions.reason : '';
      const endsAt = typeof extensions.endsAt === 'string' ? extensions.endsAt : '';
      described.frozen = { reason, endsAt };
      described.summary = `Saving is disabled: the environment is frozen${endsAt ? ` until ${formatTime(endsAt)}` : ''}${reason ? ` (${reason})` : ''}.`;
      break;
    }
    case 'APPROVAL_REQUIRED': {
      const parameters = Array.isArray(extensions.parameters) ? (extensions.parameters as string[]) : [];
      described.approvalParameters = parameters;
      for (const name of parameters) add(byParameter, name, `${name} is critical: this change needs a second person's approval.`);
      described.summary = `${message} Use "Submit for approval".`;
      break;
    }
    case 'NOT_FOUND':
      described.summary = `${message} It may have been removed; reload the page.`;
      break;
    case 'CONFLICT':
      described.summary = `${message} Reload to see the current state.`;
      break;
    case 'BAD_REQUEST':
      described.summary = message;
      break;
    case 'LIMIT_EXCEEDED':
      // A page asked the server for more than it serves at once: a bug of the console, not the operator's.
      described.summary = `${message} The console asked for more than the server serves at once; nothing was saved. Reload the page, and tell the platform team if it persists.`;
      break;
    case 'UNAVAILABLE':
      described.summary = 'The server cannot reach its database right now. Nothing was saved; try again in a moment.';
      break;
    default:
      described.summary = message === 'Unexpected error.' ? 'The server failed unexpectedly. Nothing was saved; try again, and tell the platform team if it persists.' : message;
  }
  return described;
}
