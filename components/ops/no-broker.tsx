import { EmptyState } from "./empty-state";

/** Shown when the page runs without the broker in its process (plain `next dev`). */
export function NoBroker() {
  return (
    <EmptyState title="No broker is running in this process." testId="no-broker">
      Start the console with <code className="font-mono">npm start</code>, which runs the broker and
      these pages together.
    </EmptyState>
  );
}
