import type { Viewer } from './auth/index.ts';
import type { Loaders } from './graphql-loaders.ts';
import type { Reads } from './reads.ts';
import type { Services } from './services.ts';

/** What every resolver receives. Built per HTTP request or per WebSocket/SSE operation. */
export interface GraphQLContext {
  viewer: Viewer | null;
  /** Read models (what the schema shows). */
  reads: Reads;
  /** Write services (what mutations do). */
  services: Services;
  /** Per-operation batching (DataLoader): one query per list, not one per row. */
  loaders: Loaders;
}
