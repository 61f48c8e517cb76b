import { useMemo } from 'react';
import { useQuery } from 'urql';
import { FtfParticipationDocument, type FtfParticipationQuery } from '../../gql/graphql.ts';

// Whether and how a parameter takes part in FTF sweeps (issue 12): the
// server's grid for it in one environment (the variants freezing accepts,
// or the search space), or why it cannot be a factor.

type Participation = FtfParticipationQuery['ftfParticipation'][number];

const number = (n: number | null | undefined, open: string) => (n == null ? open : String(n));

/** One line an operator reads: "4 variants: tpe, random, …", "range 0.005 – 0.3 (log, S17 range)", "not a factor: …". */
export function describeParticipation(p: Participation): string {
  if (!p.factor) {
    const refusal = p.refusals[0];
    if (!refusal) return 'not a factor';
    if (refusal.code === 'NOT_ALLOWED') return 'not a factor: excluded from experiments';
    if (refusal.code === 'DEPRECATED_PARAMETER') return 'not a factor: deprecated';
    return `not a factor: ${refusal.message}`;
  }
  const { kind, variants, searchSpace: space } = p.factor;
  if (kind === 'VALUES') return `${variants.length} variant${variants.length === 1 ? '' : 's'}: ${variants.join(', ')}`;
  if (kind === 'RANGE' && space) {
    const source = space.source === 'RANGE_TRIPLE' ? 'S17 range' : 'bounds';
    return `range ${number(space.min, '−∞')} – ${number(space.max, '∞')} (${space.scale.toLowerCase()}${space.integer ? ', integers' : ''}, ${source})`;
  }
  return 'any value it accepts';
}

/** The participation of up to 100 parameters in `environment`, by name (empty while loading). */
export function useSweepParticipation(environment: string, parameters: readonly string[]): ReadonlyMap<string, Participation> {
  // Asked again after any catalog edit (its mutation returns a CatalogEntry): the grid follows the catalog.
  const context = useMemo(() => ({ additionalTypenames: ['CatalogEntry'] }), []);
  const [{ data }] = useQuery({
    context,
    query: FtfParticipationDocument,
    variables: { environment, parameters: [...parameters] },
    pause: parameters.length === 0,
    requestPolicy: 'cache-and-network',
  });
  return new Map((data?.ftfParticipation ?? []).map((p) => [p.name, p]));
}

/** The detail the editor shows for the selected parameter. */
export function SweepDetail({ environment, name }: { environment: string; name: string }) {
  const participation = useSweepParticipation(environment, [name]).get(name);
  return (
    <section className="card" aria-label={`Sweeps of ${name}`} data-testid="sweep-detail">
      <h2>Sweeps in {environment}</h2>
      {!participation ? <p className="muted">Loading…</p> : (
        <>
          <p data-testid="sweep-summary">{describeParticipation(participation)}</p>
          {participation.factor?.validator && <p className="muted">Each sampled value must also satisfy {participation.factor.validator}.</p>}
        </>
      )}
    </section>
  );
}
