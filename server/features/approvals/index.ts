// The approvals slice's face: the second-person rule for critical changes
// (the service) and the queue of change requests as the schema reads it.
export { createChangeRequestService, type ChangeRequestService } from './change-request-service.ts';
export { createChangeRequestReads, type ChangeRequestFilter, type ChangeRequestReads } from './change-request-reads.ts';
export type { ChangeRequestUpdatedEvent } from '../../realtime/pubsub.ts';
