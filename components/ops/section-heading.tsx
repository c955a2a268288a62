/** The small capitals heading over a section of an operator page. */
export function SectionHeading({ id, children }: { id: string; children: string }) {
  return (
    <h2
      id={id}
      className="text-xs font-semibold tracking-wider text-zinc-600 uppercase dark:text-zinc-400"
    >
      {children}
    </h2>
  );
}
