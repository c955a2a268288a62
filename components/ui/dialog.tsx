"use client";

import { useEffect, useRef, type ComponentPropsWithoutRef } from "react";

const SHELL =
  "m-auto rounded-xl border border-zinc-200 bg-white p-5 text-zinc-900 shadow-xl backdrop:bg-black/40 dark:bg-zinc-900 dark:text-zinc-100";

/**
 * A native modal <dialog> (focus is trapped, Esc cancels) shown while `open` is true.
 * `className` adds the width and the dark border; every other prop goes to the <dialog>.
 */
export function ModalDialog({
  open,
  className,
  ...props
}: Omit<ComponentPropsWithoutRef<"dialog">, "open"> & { open: boolean }) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = ref.current;
    if (d === null) return;
    if (open && !d.open) d.showModal();
    if (!open && d.open) d.close();
  }, [open]);
  return <dialog ref={ref} className={`${SHELL} ${className ?? ""}`} {...props} />;
}
