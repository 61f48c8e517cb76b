import type { ConfigVersion, Environment, Prisma, PrismaClient } from '../../generated/prisma/client.ts';
import { assertEnvironmentReadable, canReadEnvironment, type Viewer } from '../../auth/index.ts';
import { notFound } from '../../errors/app-error.ts';
import type { AppPubSub, ConfigChangedEvent } from '../../realtime/pubsub.ts';
import { resumeAfter } from '../../realtime/resume-after.ts';
import type { CatalogCache, CatalogSnapshot } from '../catalog/index.ts';
import type { SqlClient } from '../../db/sql-client.ts';
import { scalarsOnly } from '../../db/scalars-only.ts';
import { withKeyColumns } from '../../db/with-key-columns.ts';
import { diffSnapshots, type ValueDiff } from './diff-snapshots.ts';
import { findEnvironment, type EnvironmentState } from './find-environment.ts';
import type { ParameterValue } from './parameter-value.ts';
import { readEnvironmentRow } from './read-environment-row.ts';
import { readSnapshot } from './read-snapshot.ts';
import { createSnapshotCache, type SnapshotCache } from './snapshot-cache.ts';
import { readVersionEvents } from './read-version-events.ts';
import type { ValueMap } from './value-map.ts';

/** An entry with its replacement (null: none; unset: not in the snapshot, so plugin-prisma reads it). */
type EntryWithReplacement = NonNullable<ParameterValue['entry']>;

/** What plugin-prisma selects for the object a field returns (its `query` argument). */
type EnvironmentQuery = { include?: Prisma.EnvironmentInclude; select?: Prisma.EnvironmentSelect };
type VersionQuery = { include?: Prisma.ConfigVersionInclude; select?: Prisma.ConfigVersionSelect };

export interface VersionFilter {
  parameter?: string | null;
  author?: string | null;
  since?: Date | null;
  until?: Date | null;
}

/**
 * The read side of configuration: environments, their values and versions,
 * the diffs between versions, and the live stream of committed versions.
 */
export function createConfigReads({ prisma, sql, catalog, pubsub, publishedVersion, snapshots = createSnapshotCache() }: {
  prisma: PrismaClient;
  /** Plain SQL for an environment read by name with no relations (every agent's load); Prisma's when not given. */
  sql?: SqlClient;
  catalog: CatalogCache;
  pubsub: AppPubSub;
  /**
   * The last version the LISTEN bridge published to `pubsub` for an
   * environment: every version after it will be published, every version up
   * to it already was (listen-bridge.ts). Without it, a resume always reads.
   */
  publishedVersion?: (environment: string) => number | undefined;
  /** The process's snapshots by (environment, version), shared with the writer: a version never changes. */
  snapshots?: SnapshotCache;
}) {
  /**
   * An entry with its replacement, both from the one catalog snapshot: every
   * agent's load selects `entry { replacement { name } }`, answered from
   * memory like the entry itself. Made once per entry and snapshot (a
   * catalog change makes a new snapshot), not per load: copying a model row
   * costs ~10 µs.
   */
  const withReplacements = new WeakMap<CatalogSnapshot, Map<string, EntryWithReplacement>>();
  const withReplacement = (snapshot: CatalogSnapshot, name: string): EntryWithReplacement | undefined => {
    let made = withReplacements.get(snapshot);
    if (!made) withReplacements.set(snapshot, (made = new Map()));
    let entry = made.get(name);
    if (entry) return entry;
    const row = snapshot.entries.get(name);
    if (!row) return undefined;
    entry = { ...row, replacement: row.replacementName === null ? null : snapshot.entries.get(row.replacementName) };
    made.set(name, entry);
    return entry;
  };
  /** An environment's committed active version's values, from memory once read (every agent's load reads them). */
  const snapshotOf = (environment: { id: string; activeVersion: number }, version = environment.activeVersion): Promise<Readonly<ValueMap>> =>
    version === 0 ? Promise.resolve({}) : snapshots.load(environment.id, version, () => readSnapshot(prisma, environment, version));
  return {
    /** NOT_FOUND when there is no such environment. */
    findEnvironment: (name: string): Promise<EnvironmentState> => findEnvironment(prisma, name),

    /** Operators read every environment; a service token only its own. */
    canRead: (viewer: Viewer | null, environmentId: string): boolean => canReadEnvironment(viewer, environmentId),

    /** Every environment the viewer may read (a service token: its own), oldest first. */
    environments: (query: EnvironmentQuery, viewer: Viewer | null): Promise<Environment[]> =>
      prisma.environment.findMany({
        ...query,
        where: viewer?.kind === 'service' ? { id: viewer.environmentId } : {},
        orderBy: { createdAt: 'asc' },
      }),

    /** One environment by name: NOT_FOUND when missing, FORBIDDEN for a token of another environment. */
    async environment(query: EnvironmentQuery, viewer: Viewer | null, name: string): Promise<Environment> {
      const environment = sql && scalarsOnly(query) ? await readEnvironmentRow(sql, name) : await prisma.environment.findUnique({ ...query, where: { name } });
      if (!environment) throw notFound('Environment', name);
      assertEnvironmentReadable(viewer, environment.id, name);
      return environment;
    },

    /**
     * Every catalog entry's value (a missing value shows as null), plus any
     * stored value whose entry no longer exists; sorted by name.
     */
    async values(environment: { id: string; activeVersion: number }, { names, group }: { names?: string[] | null; group?: string | null } = {}): Promise<ParameterValue[]> {
      const [values, snapshot] = await Promise.all([snapshotOf(environment), catalog.read(prisma)]);
      // A few names (an agent's load) are looked up, not the union of ~1,150 built for each.
      const known = (name: string) => snapshot.entries.has(name) || Object.hasOwn(values, name);
      let selected = names ? names.filter(known) : [...new Set([...snapshot.entries.keys(), ...Object.keys(values)])];
      if (group) selected = selected.filter((name) => snapshot.entries.get(name)?.groupName === group);
      return selected.sort().map((name) => ({ name, value: values[name] ?? null, entry: withReplacement(snapshot, name), shape: snapshot.shapes.get(name) }));
    },

    /**
     * The environments of these names, in one statement (a gateway's
     * references). Unscoped: the caller refuses an unreadable one as
     * environment() does.
     */
    environmentsNamed: (query: EnvironmentQuery, names: readonly string[]): Promise<Environment[]> =>
      prisma.environment.findMany({ ...withKeyColumns(query, ['id', 'name']), where: { name: { in: [...names] } } }),

    /** These (environment, version) pairs' versions, in one statement (a gateway's references; unscoped like environmentsNamed). */
    versionsOf: (query: VersionQuery, keys: readonly { environmentId: string; version: number }[]): Promise<ConfigVersion[]> =>
      prisma.configVersion.findMany({ ...withKeyColumns(query, ['environmentId', 'version']), where: { OR: keys.map(({ environmentId, version }) => ({ environmentId, version })) } }),

    /** Version `number` of an environment, or null. */
    version: (query: VersionQuery, environmentId: string, number: number): Promise<ConfigVersion | null> =>
      prisma.configVersion.findUnique({ ...query, where: { environmentId_version: { environmentId, version: number } } }),

    /** The filter and order of an environment's versions connection, newest first. */
    versionsQuery({ parameter, author, since, until }: VersionFilter) {
      const where: Prisma.ConfigVersionWhereInput = {
        ...(parameter ? { changes: { some: { parameterName: parameter } } } : {}),
        ...(author ? { author: { username: author } } : {}),
        ...(since || until ? { createdAt: { ...(since ? { gte: since } : {}), ...(until ? { lte: until } : {}) } } : {}),
      };
      return { where, orderBy: { version: 'desc' as const } };
    },

    /** What changed from version `other` of the same environment to `version`. */
    async diffAgainst(version: { environmentId: string; values: unknown }, other: number): Promise<ValueDiff[]> {
      // Uncached: `other` may name a version that does not exist (yet), read as {}.
      const from = await readSnapshot(prisma, { id: version.environmentId, activeVersion: other });
      return diffSnapshots(from, version.values as ValueMap);
    },

    /** Committed versions of an environment in (after, upTo], in order. */
    versionEvents: (environment: string, after: number, upTo?: number): Promise<ConfigChangedEvent[]> =>
      readVersionEvents(prisma, environment, after, upTo),

    /**
     * Every version of an environment committed from now on, in order, once;
     * with `afterVersion`, the ones committed since are replayed first. The
     * permission is checked once, when the subscription starts.
     */
    async subscribeChanges(viewer: Viewer | null, environment: string, afterVersion?: number | null): Promise<AsyncIterableIterator<ConfigChangedEvent>> {
      // A worker's token names its own environment (which is never deleted):
      // a fleet subscribing, or reconnecting after a restart, reads nothing here.
      if (viewer?.kind !== 'service' || viewer.environmentName !== environment) {
        const found = await findEnvironment(prisma, environment);
        assertEnvironmentReadable(viewer, found.id, environment);
      }
      const live = pubsub.subscribe('configChanged', environment);
      if (afterVersion == null) return live;
      // Read once `live` exists: a resume at or after what was published has
      // nothing to replay (every later version reaches `live`), which spares a
      // fleet reconnecting at the current version a read per worker.
      const published = publishedVersion?.(environment);
      if (published !== undefined && afterVersion >= published) return resumeAfter(live, afterVersion, async () => []);
      return resumeAfter(live, afterVersion, () => readVersionEvents(prisma, environment, afterVersion));
    },
  };
}

export type ConfigReads = ReturnType<typeof createConfigReads>;
