import { defineConfig } from "drizzle-kit";

// `npx drizzle-kit generate` writes migrations for server/store/schema.ts into drizzle/.
export default defineConfig({
  dialect: "sqlite",
  schema: "./server/store/schema.ts",
  out: "./drizzle",
});
