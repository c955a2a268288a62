/** POST /api/ops/dead-letters/purge: remove the given dead letters, or all of them. */
import { z } from "zod";

export const purgeBody = z.union([
  z.object({ ids: z.array(z.number().int().positive()).min(1).max(10_000) }).strict(),
  z.object({ all: z.literal(true) }).strict(),
]);
