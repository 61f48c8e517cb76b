import { describe, expect, it } from 'vitest';
import { databaseFault, recognizeError, toHttpError, toSocketClose, unauthenticated } from './index.ts';

// The shapes Prisma 7 with adapter-pg produces (recorded from real failures:
// a database refusing connections, pg_terminate_backend, a closed port, a NUL
// character, a key that is not a UUID), and raw pg / Node errors.
const prismaError = (code: string | undefined, cause: Record<string, unknown>) =>
  Object.assign(new Error('\nInvalid `prisma.run.findUnique()` invocation in\n/work/main/server/x.ts:4:2\n…'), {
    name: 'PrismaClientKnownRequestError',
    code,
    meta: { driverAdapterError: { name: 'DriverAdapterError', cause } },
  });

describe('what a database failure says about the request', () => {
  it('reads the database away as UNAVAILABLE, whichever layer says it', () => {
    const away = [
      prismaError('P2010', { originalCode: '57P01', kind: 'postgres', code: '57P01', severity: 'FATAL', message: 'terminating connection due to administrator command' }),
      prismaError('P2039', { originalCode: '55000', kind: 'postgres', code: '55000', severity: 'FATAL', message: 'database "x" is not currently accepting connections' }),
      prismaError('P2010', { kind: 'DatabaseNotReachable', host: '127.0.0.1', port: 1 }),
      prismaError('P2010', { originalCode: '3D000', kind: 'DatabaseDoesNotExist', db: 'x' }),
      Object.assign(new Error('x'), { code: 'P1001' }),
      Object.assign(new Error('x'), { code: 'P1017' }),
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED', syscall: 'connect', errno: -111 }),
      new Error('Connection terminated unexpectedly'),
      new Error('wrapped', { cause: Object.assign(new Error('the server is restarting'), { code: '57P03', severity: 'FATAL' }) }),
      Object.assign(new Error('connection failure'), { code: '08006', severity: 'ERROR' }),
    ];
    for (const error of away) {
      expect(databaseFault(error)?.code, error.message).toBe('UNAVAILABLE');
      expect(toHttpError(error).status).toBe(503);
      expect(toSocketClose(error).code).toBe(1013);
    }
  });

  it('reads a value PostgreSQL refused as BAD_REQUEST, keeping its sentence and nothing of the query', () => {
    const uuid = databaseFault(prismaError('P2007', { originalCode: '22P02', originalMessage: 'invalid input syntax for type uuid: "xyz"', kind: 'InvalidInputValue', message: 'invalid input syntax for type uuid: "xyz"' }));
    expect(uuid?.code).toBe('BAD_REQUEST');
    expect(uuid?.message).toBe('A value in the request is malformed: invalid input syntax for type uuid: "xyz".');
    const nul = databaseFault(prismaError('P2039', { originalCode: '22021', kind: 'postgres', code: '22021', severity: 'ERROR', message: 'invalid byte sequence for encoding "UTF8": 0x00' }));
    expect(nul?.code).toBe('BAD_REQUEST');
    expect(nul?.message).not.toMatch(/prisma|\.ts|invocation/);
  });

  it('leaves everything else a fault, and a domain error the domain\'s', () => {
    expect(databaseFault(new Error('pool exhausted at 10.0.0.5'))).toBeUndefined();
    expect(databaseFault(prismaError('P2002', { kind: 'UniqueConstraintViolation', constraint: { fields: ['name'] } }))).toBeUndefined();
    expect(databaseFault(prismaError('P2010', { kind: 'postgres', code: '42601', severity: 'ERROR', message: 'syntax error at or near "x"' }))).toBeUndefined();
    const refused = unauthenticated();
    expect(recognizeError(new Error('outer', { cause: refused }))).toBe(refused);
  });
});
