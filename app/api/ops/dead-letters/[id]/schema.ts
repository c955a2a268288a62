/** GET /api/ops/dead-letters/{id}: one dead letter with payload and headers. */
import { z } from "zod";

export const deadLetterParams = z.object({ id: z.coerce.number().int().positive() });
