import type { CodegenConfig } from '@graphql-codegen/cli';

// Typed documents for the console, from the committed SDL. Operations live in
// web/src/**/*.graphql; pages import the generated `…Document` constants from
// web/src/gql/graphql.ts one by one, so each page chunk carries only its own
// operations (the preset's graphql() lookup map would pull every document
// into the initial bundle).
const config: CodegenConfig = {
  schema: 'schema.graphql',
  documents: ['web/src/**/*.graphql'],
  ignoreNoDocuments: true,
  generates: {
    'web/src/gql/': {
      preset: 'client',
      presetConfig: { fragmentMasking: false },
      config: {
        enumsAsTypes: true,
        useTypeImports: true,
        scalars: { DateTime: 'string', JSON: 'unknown' },
        avoidOptionals: { field: true, inputValue: false, object: true, defaultValue: false },
      },
    },
  },
};

export default config;
