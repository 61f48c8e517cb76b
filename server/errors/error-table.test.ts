import { GraphQLError } from 'graphql';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES, FAULT_CODE, type ErrorCode, type WireErrorCode } from '../../contract/error-codes.ts';
import { isFatalCloseCode, SocketCloseCode } from '../../contract/protocol.ts';
import {
  AppError,
  badRequest,
  errorTable,
  faultGraphQLError,
  findAppError,
  forbidden,
  limitExceeded,
  noRoute,
  notFound,
  revisionConflict,
  toGraphQLError,
  toHttpError,
  toSocketClose,
  unauthenticated,
  unavailable,
  versionConflict,
  type ErrorTable,
  type ErrorWire,
} from './index.ts';

// One error per code, typed over ErrorCode: a code without a sample (or
// without a details shape in the contract) does not compile.
const samples: { [C in ErrorCode]: AppError<C> } = {
  UNAUTHENTICATED: unauthenticated(),
  FORBIDDEN: forbidden('Your role does not allow this.'),
  VALIDATION_FAILED: new AppError('VALIDATION_FAILED', 'CVN_ATR_PERIOD must be an integer.', {
    violations: [{ code: 'INVALID_TYPE', parameter: 'CVN_ATR_PERIOD', message: 'CVN_ATR_PERIOD must be an integer.' }],
  }),
  VERSION_CONFLICT: versionConflict({ environment: 'dev', currentVersion: 7, expectedVersion: 6 }),
  FROZEN: new AppError('FROZEN', 'prod is frozen.', { environment: 'prod', freezeWindowId: 'w1', endsAt: '2026-12-24T00:00:00.000Z', reason: 'holidays' }),
  APPROVAL_REQUIRED: new AppError('APPROVAL_REQUIRED', 'CVN_RISK_MAX needs a second person.', { parameters: ['CVN_RISK_MAX'] }),
  NOT_FOUND: notFound('Environment', 'qa'),
  DEPRECATED: new AppError('DEPRECATED', 'ATR1.5_3.0_H5 is deprecated.', { violations: [{ code: 'DEPRECATED_VALUE', parameter: 'CVN_PTE_ENVELOPE', message: 'ATR1.5_3.0_H5 is deprecated.' }] }),
  CONFLICT: new AppError('CONFLICT', 'A user named bob exists.', { username: 'bob' }),
  BAD_REQUEST: badRequest('Send a username.', { field: 'username' }),
  UNAVAILABLE: unavailable(),
  RATE_LIMITED: new AppError('RATE_LIMITED', 'Too many failed sign-ins: try again in 30 s.', { retryAfterSeconds: 30 }),
  LIMIT_EXCEEDED: limitExceeded('Ask for at most 100 versions at a time.', { limit: 'pageSize', max: 100, found: 100_000, field: 'Environment.versions(first)' }),
};
const codes = Object.keys(samples) as ErrorCode[];

describe('the error table', () => {
  it('has a row for every wire code and nothing else', () => {
    expect(Object.keys(errorTable).sort()).toEqual([...ERROR_CODES, FAULT_CODE].sort());
    expect(codes.sort()).toEqual([...ERROR_CODES].sort());
  });

  it('gives every code an HTTP error status and an explicit socket decision', () => {
    for (const code of Object.keys(errorTable) as WireErrorCode[]) {
      const row: ErrorWire = errorTable[code];
      // The server's side: a fault, or its database away (retryable).
      const serverSide = code === FAULT_CODE || code === 'UNAVAILABLE';
      expect(row.httpStatus, code).toBeGreaterThanOrEqual(serverSide ? 500 : 400);
      expect(row.httpStatus, code).toBeLessThan(serverSide ? 600 : 500);
      expect(Object.hasOwn(row, 'closeCode'), code).toBe(true);
      expect(row.closeCode === null || Number.isInteger(row.closeCode), code).toBe(true);
    }
  });

  it('closes sockets with the protocol\'s codes: refused credentials are final, a fault is retried', () => {
    expect(errorTable.UNAUTHENTICATED.closeCode).toBe(SocketCloseCode.Unauthorized);
    expect(errorTable.FORBIDDEN.closeCode).toBe(SocketCloseCode.Forbidden);
    expect(errorTable[FAULT_CODE].closeCode).toBe(SocketCloseCode.TryAgainLater);
    expect(isFatalCloseCode(errorTable.UNAUTHENTICATED.closeCode)).toBe(true);
    expect(isFatalCloseCode(errorTable.FORBIDDEN.closeCode)).toBe(true);
    expect(isFatalCloseCode(errorTable[FAULT_CODE].closeCode)).toBe(false);
    const closing = (Object.keys(errorTable) as WireErrorCode[]).filter((code) => errorTable[code].closeCode !== null);
    expect(closing.sort()).toEqual(['FORBIDDEN', 'INTERNAL', 'RATE_LIMITED', 'UNAUTHENTICATED', 'UNAVAILABLE']);
    // A throttled Basic handshake is retried once the block ends (server/auth/sign-in-throttle.ts).
    expect(errorTable.RATE_LIMITED.closeCode).toBe(SocketCloseCode.TryAgainLater);
    // The database away is retried like a fault, never final.
    expect(errorTable.UNAVAILABLE.closeCode).toBe(SocketCloseCode.TryAgainLater);
  });

  it('sets the status of a GraphQL-over-HTTP response for UNAUTHENTICATED (with a Basic challenge) and FORBIDDEN only', () => {
    const withStatus = codes.filter((code) => errorTable[code].graphqlHttp);
    expect(withStatus.filter((code) => code !== 'LIMIT_EXCEEDED' && code !== 'UNAVAILABLE' && code !== 'RATE_LIMITED').sort()).toEqual(['FORBIDDEN', 'UNAUTHENTICATED']);
    // Sign-in throttled: 429 on a GraphQL answer too.
    expect(errorTable.RATE_LIMITED.graphqlHttp).toEqual({ status: 429 });
    // The database away: 503 with Retry-After on a GraphQL answer too, so status-reading clients retry.
    expect(errorTable.UNAVAILABLE.graphqlHttp).toEqual({ status: 503, headers: { 'Retry-After': '1' } });
    // Over a limit: 413 on a GraphQL answer too (server/http/operation-limits.ts).
    expect(errorTable.LIMIT_EXCEEDED.graphqlHttp).toEqual({ status: 413 });
    expect(errorTable.UNAUTHENTICATED.graphqlHttp).toEqual({ status: 401, headers: { 'WWW-Authenticate': 'Basic realm="ucp", charset="UTF-8"' } });
    expect(errorTable.FORBIDDEN.graphqlHttp).toEqual({ status: 403 });
  });
});

describe('the wire shapes built from the table', () => {
  it('puts the code and the typed details in GraphQL extensions, and the table\'s http where it has one', () => {
    for (const code of codes) {
      const error = samples[code];
      const graphQLError = toGraphQLError(error, ['updateConfig']);
      const http = errorTable[code].graphqlHttp;
      expect(graphQLError.message).toBe(error.message);
      expect(graphQLError.path).toEqual(['updateConfig']);
      expect(graphQLError.extensions, code).toEqual({ code, ...error.details, ...(http ? { http } : {}) });
    }
    expect(toGraphQLError(samples.VALIDATION_FAILED).extensions.violations).toEqual([expect.objectContaining({ code: 'INVALID_TYPE', parameter: 'CVN_ATR_PERIOD' })]);
    expect(toGraphQLError(samples.VERSION_CONFLICT).extensions).toMatchObject({ code: 'VERSION_CONFLICT', currentVersion: 7, expectedVersion: 6 });
  });

  it('keeps the two VERSION_CONFLICT shapes apart: environments carry a version, revisioned objects a revision', () => {
    const revision = revisionConflict({ subject: 'Rule', id: 'r1', currentRevision: 3, expectedRevision: 2 }, 'The rule changed.');
    expect(toGraphQLError(revision).extensions).toEqual({ code: 'VERSION_CONFLICT', subject: 'Rule', id: 'r1', currentRevision: 3, expectedRevision: 2 });
  });

  it('answers plain HTTP with the table\'s status and { error: { code, message, ...details } }', () => {
    for (const code of codes) {
      const error = samples[code];
      expect(toHttpError(error), code).toEqual({ status: errorTable[code].httpStatus, body: { error: { code, message: error.message, ...error.details } } });
    }
    expect(toHttpError(noRoute('/nope'))).toEqual({ status: 404, body: { error: { code: 'NOT_FOUND', message: 'Nothing at /nope.' } } });
  });

  it('masks a fault on every wire: no cause, the fault row\'s status and close code', () => {
    const fault = new Error('connection to 10.0.0.5 refused, password=hunter2');
    expect(toHttpError(fault)).toEqual({ status: 500, body: { error: { code: 'INTERNAL', message: 'Unexpected error.' } } });
    expect(toSocketClose(fault)).toEqual({ code: 1013, reason: 'Try again' });
    const masked = faultGraphQLError();
    expect(masked.message).toBe('Unexpected error.');
    expect(masked.extensions).toEqual({ code: 'INTERNAL_SERVER_ERROR' });
  });

  it('closes a refused handshake with the code\'s close code, and a code that never closes a socket as final', () => {
    expect(toSocketClose(unauthenticated('The user name or password is wrong.'))).toEqual({ code: 4401, reason: 'The user name or password is wrong.' });
    expect(toSocketClose(samples.FORBIDDEN)).toEqual({ code: 4403, reason: samples.FORBIDDEN.message });
    expect(toSocketClose(samples.BAD_REQUEST).code).toBe(4403);
    expect(toSocketClose(forbidden('x'.repeat(300))).reason).toHaveLength(100);
  });

  it('finds a domain error behind GraphQL and cause wrappers', () => {
    const wrapped = new GraphQLError('wrapped', { originalError: new Error('outer', { cause: samples.CONFLICT }) });
    expect(findAppError(wrapped)).toBe(samples.CONFLICT);
    expect(toHttpError(wrapped).body.error.code).toBe('CONFLICT');
    expect(findAppError(new Error('plain'))).toBeUndefined();
  });
});

describe('the table is exhaustive at compile time (checked by tsc, npm test\'s first step)', () => {
  it('refuses a table missing a row, or a code set with a code the table has no row for', () => {
    const { INTERNAL: _fault, ...withoutFault } = errorTable;
    // @ts-expect-error a table without the masked fault's row is not an ErrorTable
    const incomplete: ErrorTable = withoutFault;
    // A code added to contract/error-codes.ts grows WireErrorCode; the table then lacks its row:
    // @ts-expect-error TEAPOT has no row
    const grown: { readonly [C in WireErrorCode | 'TEAPOT']: ErrorWire } = errorTable;
    expect([incomplete, grown]).toHaveLength(2);
  });
});
