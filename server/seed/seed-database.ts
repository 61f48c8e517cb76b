import type { PrismaClient, Role } from '../generated/prisma/client.ts';
import type { PasswordHasher } from '../auth/index.ts';
import { inTransaction } from '../db/transaction.ts';
import { basePipelineCatalog } from '../../prisma/seed/base-pipeline-catalog.ts';
import { trainingHyperparameterCatalog } from '../../prisma/seed/training-hyperparameter-catalog.ts';
import { seedRules } from '../../prisma/seed/rule-seed.ts';
import type { CatalogEntrySeed } from '../../prisma/seed/catalog-entry-seed.ts';

export const seedEnvironments = [
  { name: 'dev', description: 'Research and the reference paper worker.' },
  { name: 'staging', description: 'Paper trading before promotion.' },
  { name: 'prod', description: 'Live trading.' },
] as const;

export const seedUsers: { username: string; displayName: string; role: Role }[] = [
  { username: 'admin', displayName: 'Admin', role: 'ADMIN' },
  { username: 'approver', displayName: 'Approver', role: 'APPROVER' },
  { username: 'editor', displayName: 'Editor', role: 'EDITOR' },
  { username: 'viewer', displayName: 'Viewer', role: 'VIEWER' },
];

/** The seed catalog in insertion order: replacements must exist before the entries pointing at them. */
export function seedCatalog(): CatalogEntrySeed[] {
  const all = [...basePipelineCatalog(), ...trainingHyperparameterCatalog()];
  return [...all.filter((e) => !e.replacementName), ...all.filter((e) => e.replacementName)];
}

function catalogRow(entry: CatalogEntrySeed) {
  return {
    name: entry.name,
    type: entry.type,
    allowedValues: entry.allowedValues ?? [],
    minValue: entry.minValue ?? null,
    maxValue: entry.maxValue ?? null,
    defaultValue: entry.defaultValue,
    unit: entry.unit ?? null,
    description: entry.description,
    groupName: entry.groupName,
    required: entry.required ?? true,
    deprecated: entry.deprecated ?? false,
    deprecationReason: entry.deprecationReason ?? null,
    replacementName: entry.replacementName ?? null,
    deprecatedValues: entry.deprecatedValues ?? [],
    hotReloadable: entry.hotReloadable ?? false,
    category: entry.category,
    critical: entry.critical ?? false,
    excludedFromFtf: entry.excludedFromFtf ?? false,
    validator: entry.validator ?? null,
    consumedOutside: entry.consumedOutside ?? null,
  };
}

/**
 * First start: environments, one user per role, the catalog (~570 entries),
 * the cross-parameter rules, and version 1 of every environment holding the
 * catalog defaults. Runs once: a database that has environments is left alone.
 * Returns false when it was already seeded.
 */
export async function seedDatabase(prisma: PrismaClient, { hasher, passwords }: {
  hasher: PasswordHasher;
  passwords: Record<string, string>;
}): Promise<boolean> {
  if ((await prisma.environment.count()) > 0) return false;
  const hashes = new Map(await Promise.all(seedUsers.map(async (u) => [u.username, await hasher.hash(passwords[u.username]!)] as const)));
  const catalog = seedCatalog();
  await inTransaction(prisma, async (tx) => {
    const users = await Promise.all(seedUsers.map((u) => tx.user.create({ data: { ...u, passwordHash: hashes.get(u.username)! } })));
    const admin = users.find((u) => u.role === 'ADMIN')!;
    // Deprecated entries carry no value an environment may start with.
    await tx.catalogEntry.createMany({ data: catalog.map(catalogRow) });
    await tx.catalogRevision.createMany({
      data: catalog.map((entry) => ({
        parameterName: entry.name, revision: 1, action: 'created', snapshot: catalogRow(entry), changedBy: admin.username, reason: 'Initial catalog',
      })),
    });
    await tx.rule.createMany({ data: seedRules().map((rule) => ({ ...rule, enabled: true })) });
    const values = Object.fromEntries(catalog.filter((e) => !e.deprecated).map((e) => [e.name, e.defaultValue]));
    for (const env of seedEnvironments) {
      const environment = await tx.environment.create({ data: env });
      const version = await tx.configVersion.create({
        data: { environmentId: environment.id, version: 1, kind: 'SEED', values, reason: 'Initial values: the catalog defaults', authorId: admin.id },
      });
      await tx.configChange.createMany({
        data: Object.entries(values).map(([name, value]) => ({ versionId: version.id, parameterName: name, before: null, after: value })),
      });
      await tx.auditEvent.create({
        data: {
          action: 'config_change_saved', actor: admin.username, environmentId: environment.id, configVersion: 1,
          reason: 'Initial values: the catalog defaults', details: { kind: 'SEED', parameters: Object.keys(values).length },
        },
      });
    }
  });
  return true;
}
