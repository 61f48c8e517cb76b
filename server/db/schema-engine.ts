import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { bindMigrationAwareSqlAdapterFactory, type SqlMigrationAwareDriverAdapterFactory } from '@prisma/driver-adapter-utils';
import * as bindings from '@prisma/schema-engine-wasm/schema_engine_bg';
import type { SchemaEngine } from '@prisma/schema-engine-wasm';

const require = createRequire(import.meta.url);
let instantiated: Promise<void> | undefined;

/**
 * Prisma's CLI downloads a native schema engine, which this network cannot
 * reach; its WebAssembly build ships inside an npm package and runs offline.
 * The package's own entry imports the .wasm file as an ES module, which Node
 * cannot do, so we instantiate it by hand once per process.
 */
function instantiateWasm(): Promise<void> {
  instantiated ??= (async () => {
    const wasmPath = require.resolve('@prisma/schema-engine-wasm').replace(/schema_engine\.js$/, 'schema_engine_bg.wasm');
    const bytes = await readFile(wasmPath);
    const { instance } = await WebAssembly.instantiate(bytes, { './schema_engine_bg.js': bindings as unknown as WebAssembly.ModuleImports });
    (bindings as unknown as { __wbg_set_wasm(exports: WebAssembly.Exports): void }).__wbg_set_wasm(instance.exports);
    (instance.exports.__wbindgen_start as () => void)();
  })();
  return instantiated;
}

/** Creates a schema engine bound to a driver adapter (pg or PGlite). Free it with `engine.free()`. */
export async function createSchemaEngine(
  schemaPrisma: string,
  adapterFactory: SqlMigrationAwareDriverAdapterFactory,
): Promise<SchemaEngine> {
  await instantiateWasm();
  const Engine = (bindings as unknown as { SchemaEngine: typeof SchemaEngine }).SchemaEngine;
  return Engine.new(
    { datamodels: [['schema.prisma', schemaPrisma]] },
    () => {},
    bindMigrationAwareSqlAdapterFactory(adapterFactory),
  );
}
