// The shared contract's public face: what the server, the console (web/) and
// the runtime agent agree on. Imports nothing but zod, @bufbuild/cel and its
// own files (test/contract-imports.test.ts enforces it), so each side can
// import it without pulling in the other.

export * from './validation/index.ts';
export * from './catalog.ts';
export * from './error-codes.ts';
export * from './protocol.ts';
export * from './backoff.ts';
export * from './is-uuid.ts';
export * from './audit-actions.ts';
