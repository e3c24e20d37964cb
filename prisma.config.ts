// Prisma 7 configuration, read by the prisma CLI (`prisma generate`, and `prisma migrate deploy` /
// `migrate status` on a machine that can download the native schema engine).
// On machines that cannot, use `npm run db:migrate` / `npm run db:diff -- --name <name>` /
// `npm run db:generate` (prisma/tools/), which read the same paths and the same DATABASE_URL.
//
// No `env('DATABASE_URL')` here: it throws when the variable is unset, even for `prisma generate`.
import { defineConfig } from 'prisma/config';

export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  datasource: {
    // Keep the default in step with DEFAULT_DATABASE_URL in prisma/tools/migrate.ts.
    url: process.env.DATABASE_URL || 'postgresql://postgres@127.0.0.1:5432/arxiv_radar',
  },
});
