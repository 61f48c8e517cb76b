import { defineConfig } from 'prisma/config';

// Prisma 7 keeps the connection out of schema.prisma. Only `prisma generate`
// runs through the CLI here (migrations use the WebAssembly engine, see
// server/db/apply-migrations.ts), and generate needs no database.
export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
});
