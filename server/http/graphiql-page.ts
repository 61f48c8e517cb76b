import type { GraphiQLOptions } from 'graphql-yoga';

/**
 * GraphiQL rendered from assets bundled in the product: yoga's default page
 * loads them from a public CDN, which an air-gapped desk cannot reach (the page
 * then stays on "Loading…"). Those assets are one ~17 MB module (Monaco and
 * its workers as strings, ~30 MB of heap once parsed), so it loads on the
 * first page asked for, not in every server that is never browsed.
 */
export async function renderBundledGraphiQL(options: GraphiQLOptions): Promise<string> {
  const { renderGraphiQL } = await import('@graphql-yoga/render-graphiql');
  return renderGraphiQL(options);
}

/** What an analyst sees first: the lineage of the active configuration, one request. */
export const graphiqlDefaultQuery = `# Under what configuration does an environment run, and who changed what, when and why?
query Lineage($environment: String! = "dev") {
  environment(name: $environment) {
    name
    activeConfig {
      version
      kind
      reason
      createdAt
      author { username }
      approver { username }
      changeRequest { reviewComment }
      changes { name before after }
    }
    versions(first: 5) {
      totalCount
      edges { node { version reason createdAt author { username } } }
    }
  }
}
`;
