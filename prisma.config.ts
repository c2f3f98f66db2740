// How the Prisma CLI finds the schema, the migrations and the database (Prisma 7).
// `prisma generate` needs no database; `prisma migrate deploy` reads DATABASE_URL.
import { defineConfig } from 'prisma/config';

export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  datasource: { url: process.env.DATABASE_URL ?? '' },
});
