import type { PendingChangeRequestsQuery } from '../../gql/graphql.ts';

export type PendingRequest = PendingChangeRequestsQuery['changeRequests']['edges'][number]['node'];
export type PendingWorker = PendingChangeRequestsQuery['workers'][number];
