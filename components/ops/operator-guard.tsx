/**
 * The guard for operator pages (server components have headers, not a Request): each page
 * asks first and shows this refusal instead of its data. Sign-in will change only the guard.
 */
import "server-only";
import { headers } from "next/headers";
import type { ReactElement } from "react";
import { operatorPageAllowed } from "@/server/console/guard";
import { EmptyState } from "./empty-state";

/** Null when the operator page may render; otherwise what to show in its place. */
export async function operatorRefusal(): Promise<ReactElement | null> {
  if (operatorPageAllowed(await headers())) return null;
  return (
    <EmptyState title="Operator access only" testId="operator-refused">
      This page shows everything the broker holds. Sign in as an operator to see it.
    </EmptyState>
  );
}
