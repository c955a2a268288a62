/** Why a live operator view could not refresh; the figures shown are the last ones read. */
export function RefreshError({ error }: { error: string | null }) {
  if (!error) return null;
  return (
    <p role="alert" className="text-sm text-red-700 dark:text-red-400">
      Could not refresh: {error}
    </p>
  );
}
