import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, type OperationDefinitionNode } from 'graphql';
import { factor, freeze, startRun } from './lineage-fixtures.ts';
import { expectData, type TestApp } from './start-test-app.ts';

// A research desk's history to walk the lineage through: an approved change
// of a critical parameter (with ordinary ones beside it), a set frozen from
// that version, runs sharing it, a baseline to compare with.

export interface LineageScenario {
  /** One of the runs on the set frozen from the approved version (global id). */
  run: string;
  name: string;
  hash: string;
  version: number;
  /** A baseline run on version 1, to compare with. */
  other: string;
}

/** `count` non-critical integer parameters that no rule or validator reads, with a new legal value each (distinct per `round`). */
async function ordinaryChanges(t: TestApp, count: number, round: number): Promise<Record<string, string>> {
  const data = expectData(await t.gql(`{
    catalog(first: 1000) { edges { node { name type minValue maxValue critical deprecated validator } } }
    rules { expression }
    environment(name: "dev") { values { name value } }
  }`));
  const ruleText = data.rules.map((r: { expression: string }) => r.expression).join(' ');
  const values = new Map<string, string | null>(data.environment.values.map((v: { name: string; value: string | null }) => [v.name, v.value]));
  const changes: Record<string, string> = {};
  for (const { node } of data.catalog.edges) {
    if (Object.keys(changes).length === count) break;
    const current = Number(values.get(node.name));
    if (node.type !== 'INT' || node.critical || node.deprecated || node.validator || ruleText.includes(node.name) || !Number.isInteger(current)) continue;
    const next = current + round + 1;
    if (node.maxValue !== null && next > node.maxValue) continue;
    changes[node.name] = String(next);
  }
  if (Object.keys(changes).length < count) throw new Error(`only ${Object.keys(changes).length} parameters to change`);
  return changes;
}

/**
 * An approved change of `changes` parameters (one of them critical: it
 * needs the approver), the set frozen from it, `sharingRuns` runs on that
 * set, and a baseline on version 1.
 */
export async function buildLineageScenario(t: TestApp, { sharingRuns, changes, round }: { sharingRuns: number; changes: number; round: number }): Promise<LineageScenario> {
  const critical = { CVN_RISK_MAX_POSITION_USDC: `${1500 + round * 10}.0` };
  const all = { ...critical, ...(changes > 1 ? await ordinaryChanges(t, changes - 1, round) : {}) };
  const { activeVersion } = expectData(await t.gql(`{ environment(name: "dev") { activeVersion } }`)).environment;
  const submitted = expectData(await t.gql(`mutation ($input: UpdateConfigInput!) { updateConfig(input: $input) { changeRequest { id revision } } }`, {
    input: {
      environment: 'dev', expectedVersion: activeVersion, submitForApproval: true,
      reason: `Larger positions after the capacity review (round ${round})`,
      changes: Object.entries(all).map(([name, value]) => ({ name, value })),
    },
  }, 'editor')).updateConfig.changeRequest;
  const version = expectData(await t.gql(`mutation ($input: ReviewChangeRequestInput!) { approveChangeRequest(input: $input) { version } }`, {
    input: { id: submitted.id, revision: submitted.revision, comment: 'Agreed at the risk meeting' },
  }, 'approver')).approveChangeRequest.version;

  const hash = await freeze(t, { environment: 'dev', version, experimentalFactors: [factor('CVN_MODEL_RANDOM_SEED', String(7 + round))] });
  const name = `ftf defi_top5 round ${round}`;
  let run = '';
  for (let i = 0; i < sharingRuns; i += 1) {
    run = await startRun(t, { kind: i % 2 ? 'BACKTEST' : 'EXPERIMENT', name: i === sharingRuns - 1 ? name : `${name} fold ${i}`, parameterSetHash: hash, metadata: { cryptos: ['BTC', 'ETH'], fold: i } });
  }
  const baseline = await freeze(t, { environment: 'dev', version: 1 });
  const other = await startRun(t, { kind: 'BACKTEST', name: `baseline round ${round}`, parameterSetHash: baseline });
  return { run, name, hash, version, other };
}

/** The fenced ```graphql blocks of schema/LINEAGE.md, each with its operation name and variable names. */
export function lineageRecipes(): { name: string; query: string; variables: string[] }[] {
  const text = readFileSync(path.join(path.dirname(fileURLToPath(import.meta.url)), '../../schema/LINEAGE.md'), 'utf8');
  return [...text.matchAll(/```graphql\n([\s\S]*?)```/g)].map(([, query]) => {
    const operation = parse(query!).definitions.find((d): d is OperationDefinitionNode => d.kind === 'OperationDefinition')!;
    return { name: operation.name?.value ?? '', query: query!, variables: (operation.variableDefinitions ?? []).map((v) => v.variable.name.value) };
  });
}
