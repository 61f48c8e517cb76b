import type { Viewer } from './auth/viewer.ts';
import type { Services } from './services.ts';

/** What every resolver receives. Built per HTTP request or per WebSocket/SSE operation. */
export interface GraphQLContext {
  viewer: Viewer | null;
  services: Services;
}
