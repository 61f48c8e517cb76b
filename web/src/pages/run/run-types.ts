import type { RunPageQuery } from '../../gql/graphql.ts';

/** The run as its page reads it (RunPage in run.graphql). */
export type RunPageRun = NonNullable<RunPageQuery['run']>;
