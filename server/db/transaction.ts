import type { Prisma, PrismaClient } from '../generated/prisma/client.ts';

export type Tx = Prisma.TransactionClient;
export type Db = PrismaClient | Tx;

/**
 * Interactive transactions with room for a queue of writers on one
 * environment row (Prisma's defaults, 2 s wait / 5 s run, are sized for
 * uncontended work).
 */
export function inTransaction<T>(prisma: PrismaClient, work: (tx: Tx) => Promise<T>): Promise<T> {
  return prisma.$transaction(work, { maxWait: 15_000, timeout: 20_000 });
}
