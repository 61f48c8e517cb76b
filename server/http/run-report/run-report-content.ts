import type { Viewer } from '../../auth/index.ts';
import { readCodeVersion, readFactors, terminalRunStatuses, type RunComparison, type RunLineage } from '../../features/parameter-sets/index.ts';
import type { Reads } from '../../reads.ts';

/** A label and its value, as the report's key/value tables print them. */
export type Field = [label: string, value: string];

/** What a run's PDF report says, read through the read models and already in words (render-run-report.ts only lays it out). */
export interface RunReportContent {
  title: string;
  run: Field[];
  parameterSet: Field[];
  code: { commit: string; packages: Field[] } | null;
  configVersion: { fields: Field[]; changes: [name: string, before: string, after: string][] } | null;
  factors: [name: string, variant: string, base: string][];
  groups: { name: string; values: [name: string, value: string, variant: string][] }[];
  baseline: { fields: Field[]; reasons: [verdict: string, code: string, where: string, message: string][] } | null;
  parameterCount: number;
}

const at = (date: Date | null | undefined) => (date ? `${date.toISOString().replace('T', ' ').slice(0, 19)} UTC` : '—');
const person = (user: { username: string; displayName: string } | null | undefined) => (user ? `${user.displayName} (${user.username})` : '—');
const text = (value: string | null | undefined) => (value == null || value === '' ? '—' : value);

function runFields(run: RunLineage): Field[] {
  return [
    ['Name', run.name],
    ['Run id', run.id],
    ['Kind', run.kind],
    ['Status', run.status],
    ['Outcome', terminalRunStatuses.includes(run.status) ? run.status : 'not finished'],
    ['Outcome message', text(run.outcomeMessage)],
    ['Environment', run.environment?.name ?? 'none (legacy run)'],
    ['Config version', run.configVersion == null ? 'none (legacy run)' : String(run.configVersion)],
    ['Started by', run.startedBy],
    ['Started', at(run.startedAt)],
    ['Finished', at(run.endedAt)],
    ['Output digest', text(run.outputDigest)],
    ['Re-run of', run.rerunOf ? `${run.rerunOf.name} (${run.rerunOf.id})` : '—'],
  ];
}

function baselineFields(comparison: RunComparison): RunReportContent['baseline'] {
  const { b, verdict, reasons } = comparison;
  return {
    fields: [
      ['Baseline run', `${b.name} (${b.id})`],
      ['Baseline parameter set', b.parameterSetHash],
      ['Baseline output digest', text(b.outputDigest)],
      ['Verdict', verdict],
    ],
    reasons: reasons.map((r) => [r.verdict, r.code, [r.parameter, r.field].filter(Boolean).join(' · ') || '—', r.message]),
  };
}

/**
 * Reads everything a run's report shows, as the caller may read it: the run
 * (NOT_FOUND when absent to this viewer, like GraphQL), its set's values by
 * display group, and the comparison with `baselineId` when one is chosen
 * (NOT_FOUND for an unknown baseline).
 */
export async function readRunReport(reads: Pick<Reads, 'runs' | 'parameterSets'>, viewer: Viewer, id: string, baselineId: string | null): Promise<RunReportContent> {
  const [run, comparison] = await Promise.all([
    reads.runs.lineage(viewer, id),
    baselineId ? reads.runs.compare(viewer, id, baselineId) : null,
  ]);
  const set = run.parameterSet;
  const groups = await reads.parameterSets.valueGroups(set);
  const code = readCodeVersion(set.codeVersion);
  const values = set.values as Record<string, string>;
  const version = run.version;
  return {
    title: run.name,
    run: runFields(run),
    parameterSet: [
      ['Hash', set.hash],
      ['Catalog revision', String(set.catalogVersion)],
      ['Frozen', at(set.createdAt)],
      ['Parameters', String(Object.keys(values).length)],
    ],
    code: code ? { commit: code.commit, packages: Object.entries(code.packages).sort(([x], [y]) => x.localeCompare(y)) } : null,
    configVersion: version
      ? {
        fields: [
          ['Version', `${run.environment?.name ?? ''}@${version.version} (${version.kind.toLowerCase()})`],
          ['Author', person(version.author)],
          ['Reason', version.reason],
          ['Approver', person(version.approver)],
          ['Approval comment', text(version.changeRequest?.reviewComment)],
          ['Saved', at(version.createdAt)],
        ],
        changes: version.changes.map((c) => [c.parameterName, text(c.before), text(c.after)]),
      }
      : null,
    factors: Object.entries(readFactors(set.factors)).sort(([x], [y]) => x.localeCompare(y)).map(([name, variant]) => [name, variant, text(values[name])]),
    groups: groups.map((g) => ({ name: g.name, values: g.values.map((v) => [v.name, text(v.value), v.variant ?? '']) })),
    baseline: comparison ? baselineFields(comparison) : null,
    parameterCount: groups.reduce((n, g) => n + g.values.length, 0),
  };
}
