"use client";

import { useId, type ComponentPropsWithoutRef, type ReactNode } from "react";
import { cardClass } from "./ui";

/** The card that shows one stored message in full, headed by `title` (any <section> props). */
export function DetailPanel({
  title,
  children,
  ...section
}: { title: ReactNode } & Omit<ComponentPropsWithoutRef<"section">, "title">) {
  const headingId = useId();
  return (
    <section
      aria-labelledby={headingId}
      {...section}
      className={`${cardClass} flex flex-col gap-4 p-4`}
    >
      <h2 id={headingId} className="text-base font-semibold">
        {title}
      </h2>
      {children}
    </section>
  );
}
