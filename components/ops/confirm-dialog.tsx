"use client";

import type { ReactNode } from "react";
import { ModalDialog } from "@/components/ui/dialog";
import { buttonClass } from "./ui";

/** A modal question; Esc cancels. */
export function ConfirmDialog({
  open,
  title,
  children,
  confirmLabel,
  onConfirm,
  onCancel,
}: {
  open: boolean;
  title: string;
  children: ReactNode;
  confirmLabel: string;
  onConfirm: () => void;
  onCancel: () => void;
}) {
  return (
    <ModalDialog
      open={open}
      onCancel={(e) => {
        // The caller closes it (through `open`), so its state never disagrees with the dialog.
        e.preventDefault();
        onCancel();
      }}
      aria-labelledby="confirm-title"
      className="w-full max-w-md dark:border-zinc-800"
    >
      <h2 id="confirm-title" className="text-base font-semibold">
        {title}
      </h2>
      <div className="mt-2 text-sm text-zinc-700 dark:text-zinc-300">{children}</div>
      <div className="mt-5 flex justify-end gap-2">
        <button type="button" className={buttonClass.secondary} onClick={onCancel} autoFocus>
          Cancel
        </button>
        <button
          type="button"
          data-testid="confirm-button"
          className={buttonClass.danger}
          onClick={onConfirm}
        >
          {confirmLabel}
        </button>
      </div>
    </ModalDialog>
  );
}
