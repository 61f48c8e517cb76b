import type { SqlMigrationAwareDriverAdapterFactory } from '@prisma/driver-adapter-utils';

/**
 * Wraps a driver adapter factory so that a migration script runs as one
 * multi-statement query. adapter-pg splits scripts on every ';' (breaking
 * plpgsql function bodies) and runs the pieces one by one (a failure leaves a
 * half-applied migration); pglite-prisma-adapter does not await its exec, so
 * a failing migration is recorded as applied. One simple-protocol query runs
 * in one implicit transaction on both: a migration applies whole or not at all.
 */
export function wholeScriptAdapterFactory(
  factory: SqlMigrationAwareDriverAdapterFactory,
  runScript: (script: string) => Promise<unknown>,
): SqlMigrationAwareDriverAdapterFactory {
  const wrap = <T extends { executeScript(script: string): Promise<void> }>(adapter: T): T => {
    adapter.executeScript = async (script: string) => {
      await runScript(script);
    };
    return adapter;
  };
  return {
    provider: factory.provider,
    adapterName: factory.adapterName,
    connect: async () => wrap(await factory.connect()),
    connectToShadowDb: async () => wrap(await factory.connectToShadowDb()),
  };
}
