// The test's own record of an environment's versions: where it started and
// what each later version changed, as the server stored it. Every agent's
// applied values are checked against it version by version. It assumes the
// test is the environment's only writer (the spawned product runs with
// PAPER_WORKER=false; the in-process app has no worker).
import { expectData } from '../../../test/support/start-test-app.ts';
import type { Gql } from './graphql-client.ts';

const ACTIVE = `query ($environment: String!) { environment(name: $environment) { activeConfig { version values } } }`;
const UPDATE = `mutation ($input: UpdateConfigInput!) { updateConfig(input: $input) { outcome version { version changes { name after } } } }`;

export interface ConfigHistory {
  readonly environment: string;
  /** The version the history starts at. */
  readonly baseVersion: number;
  /** The environment's active version (the last one this writer saved). */
  readonly active: number;
  /** The versions saved through `save`, with their commit time (performance.now()). */
  readonly saved: { version: number; name: string; value: string; committedAt: number }[];
  /** One editor write, sequential: expectedVersion is the last version returned. */
  save(name: string, value: string): Promise<number>;
  /** A valid value for `name` that differs from its current one (the catalog's bounds respected). */
  nextValue(name: string): string;
  /** Saves a fresh value of `name` and returns the new version. */
  change(name: string): Promise<number>;
  /** The values in force at `version` (>= baseVersion), restricted to `names`. */
  valuesAt(version: number, names: readonly string[]): Record<string, string>;
}

/** Value generators for the hot-reloadable THRESHOLD parameters the fault tests write. */
const GENERATORS: Record<string, (k: number) => string> = {
  // Above CVN_SIGNAL_THRESHOLD_EXIT (0.40, rule signal-exit-below-entry), at most 0.89.
  CVN_SIGNAL_THRESHOLD_BUY: (k) => String((50 + (k % 40)) / 100),
  CVN_SIGNAL_THRESHOLD_SELL: (k) => String((50 + (k % 40)) / 100),
  // Catalog bounds 0.1..20.
  CVN_CUSUM_THRESHOLD: (k) => String((10 + (k % 40)) / 10 + 0.05),
};

export async function createConfigHistory(gql: Gql, environment: string): Promise<ConfigHistory> {
  const active = expectData(await gql<{ environment: { activeConfig: { version: number; values: Record<string, string> } } }>(ACTIVE, { environment }))
    .environment.activeConfig;
  const base = { version: active.version, values: { ...active.values } };
  const current: Record<string, string> = { ...active.values };
  const changes = new Map<number, { name: string; after: string | null }[]>();
  const saved: ConfigHistory['saved'] = [];
  const counters = new Map<string, number>();
  const memo = new Map<number, Record<string, string>>();
  let version = active.version;

  const history: ConfigHistory = {
    environment,
    baseVersion: base.version,
    get active() {
      return version;
    },
    saved,
    async save(name, value) {
      const response = await gql<{ updateConfig: { outcome: string; version: { version: number; changes: { name: string; after: string | null }[] } | null } }>(
        UPDATE,
        { input: { environment, expectedVersion: version, reason: `fault test ${name}=${value}`, changes: [{ name, value }] } },
        'editor',
      );
      const written = expectData(response).updateConfig;
      if (!written.version) throw new Error(`updateConfig of ${name} did not create a version (outcome ${written.outcome})`);
      version = written.version.version;
      changes.set(version, written.version.changes);
      for (const change of written.version.changes) if (change.after !== null) current[change.name] = change.after;
      saved.push({ version, name, value, committedAt: performance.now() });
      return version;
    },
    nextValue(name) {
      const generate = GENERATORS[name];
      if (!generate) throw new Error(`config-history has no value generator for ${name}`);
      for (;;) {
        const k = (counters.get(name) ?? 0) + 1;
        counters.set(name, k);
        const value = generate(k);
        if (value !== current[name]) return value;
      }
    },
    change(name) {
      return history.save(name, history.nextValue(name));
    },
    valuesAt(at, names) {
      if (at < base.version || at > version) throw new Error(`version ${at} is outside the recorded history ${base.version}..${version}`);
      let values = memo.get(at);
      if (!values) {
        values = { ...base.values };
        for (let v = base.version + 1; v <= at; v += 1) {
          for (const change of changes.get(v) ?? []) if (change.after !== null) values[change.name] = change.after;
        }
        memo.set(at, values);
      }
      return Object.fromEntries(names.map((name) => [name, values[name] as string]));
    },
  };
  return history;
}
