import { z } from "zod";

export const sessionQuery = z.object({
  role: z.enum(["operator", "human"]).default("human"),
});
