import { z } from 'zod';
import { badRequest } from '../../errors/app-error.ts';

// Which code ran: the commit and the versions of the packages that matter
// (model libraries, the trading engine). Typed and checked, because a set
// that names its code loosely ({ git: 'main' }) cannot be re-run identically
// and two runs cannot be told to share code (comparability, KPI 5).

/** The stored shape: { commit, packages: { name: version } } (keys sorted by the canonical JSON). */
export interface CodeVersion {
  commit: string;
  packages: Record<string, string>;
}

/** What a caller gives: the typed GraphQL input (a list of packages) or the same as JSON. */
export interface CodeVersionInput {
  commit: string;
  packages?: readonly { name: string; version: string }[] | Record<string, string> | null;
}

// A full object id (SHA-1, or SHA-256 for repositories that moved): an
// abbreviated sha can become ambiguous and a branch name moves.
const commitPattern = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;
// npm (with scope) and PyPI names.
const packageNamePattern = /^(?:@[a-z0-9][a-z0-9._-]*\/)?[A-Za-z0-9][A-Za-z0-9._-]*$/;
// A released version: semver, PEP 440 (2.1.0rc1, 0.24.post1, 2.1.0+cu118), optionally 'v'-prefixed.
const packageVersionPattern = /^v?[0-9][0-9A-Za-z.+!_-]*$/;
const maxPackages = 200;

const packageSchema = z.object({
  name: z.string().max(214).regex(packageNamePattern, 'is not a package name'),
  version: z.string().max(64).regex(packageVersionPattern, 'is not a released version (e.g. 2.1.0, 1.4.2rc1)'),
});

const codeVersionSchema = z.strictObject({
  commit: z.string().regex(commitPattern, 'must be a full commit sha (40 or 64 lowercase hex digits)'),
  packages: z
    .union([
      z.array(packageSchema).max(maxPackages),
      z.record(z.string(), z.string()).transform((map) => Object.entries(map).map(([name, version]) => ({ name, version }))).pipe(z.array(packageSchema).max(maxPackages)),
    ])
    .nullish(),
});

/**
 * The code version as stored, or BAD_REQUEST naming the field. A JSON code
 * version gets the same checks as the typed one: unknown keys are refused, so
 * no parameter value can ride along in it.
 */
export function parseCodeVersion(input: unknown, field: string): CodeVersion {
  const parsed = codeVersionSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const where = issue.path.length ? `${field}.${issue.path.join('.')}` : field;
    const message = issue.code === 'unrecognized_keys'
      ? `${field} holds only commit and packages; ${issue.keys.join(', ')} ${issue.keys.length === 1 ? 'is' : 'are'} not part of a code version (parameters go into the set's values or factors).`
      : issue.code === 'invalid_type'
        ? (issue.path.length === 0 ? `${field} must be { commit, packages }.` : `${where} is missing or not a ${issue.expected}.`)
        : `${where} ${issue.message}.`;
    throw badRequest(message, { field });
  }
  const packages: Record<string, string> = {};
  for (const { name, version } of parsed.data.packages ?? []) {
    if (Object.hasOwn(packages, name)) throw badRequest(`${field} names package ${name} twice.`, { field });
    packages[name] = version;
  }
  return { commit: parsed.data.commit, packages };
}

/** The typed reading of a stored code version; null for the free JSON of sets frozen before issue 10. */
export function readCodeVersion(stored: unknown): CodeVersion | null {
  try {
    return parseCodeVersion(stored, 'codeVersion');
  } catch {
    return null;
  }
}
