/** GET /api/ops/agents: the agents index (no parameters; search is done in the page). */
import { z } from "zod";

export const agentsQuery = z.object({});
