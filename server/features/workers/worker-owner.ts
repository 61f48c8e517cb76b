import type { Viewer } from '../../auth/index.ts';
import { forbidden } from '../../errors/app-error.ts';

type ServiceViewer = Extract<Viewer, { kind: 'service' }>;

/** Who registered a worker: its token, with the name and environment that token was issued under (null: no owner left). */
export interface WorkerOwner {
  tokenId: string | null;
  token: { name: string; environmentId: string | null } | null;
}

/**
 * A worker's name belongs to the identity that registered it: its token, or
 * a later token of the same name in the same environment. An environment has
 * at most one live token per name (access-service.ts), so "same name" means
 * the token that replaced the owner's (revoked) one, the way the reference
 * worker is given a fresh token at each start. Any other token, even of the
 * same environment, is refused: it would take the worker's reports over.
 */
export function assertMayRegisterAs(token: ServiceViewer, workerName: string, owner: WorkerOwner): void {
  if (owner.tokenId === null || owner.tokenId === token.tokenId) return;
  if (owner.token && owner.token.name === token.name && owner.token.environmentId === token.environmentId) return;
  throw forbidden(`Worker ${workerName} belongs to another service token: register it with that token (or its replacement of the same name), or choose another worker name.`);
}
