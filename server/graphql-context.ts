import type { Viewer } from './auth/viewer.ts';
import type { Loaders } from './graphql-loaders.ts';
import type { Services } from './services.ts';

/** What every resolver receives. Built per HTTP request or per WebSocket/SSE operation. */
export interface GraphQLContext {
  viewer: Viewer | null;
  services: Services;
  /** Per-operation batching (DataLoader): one query per list, not one per row. */
  loaders: Loaders;
}
