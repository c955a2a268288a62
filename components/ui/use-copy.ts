import { useEffect, useState } from "react";

export type CopyState = "idle" | "copied" | "failed";

/**
 * Copying to the clipboard, and how it went for 1.5 s after. The clipboard API needs a
 * secure context, so a failure is reported (the caller asks to select and copy), not hidden.
 */
export function useCopy(): [CopyState, (text: string) => void] {
  const [state, setState] = useState<CopyState>("idle");

  useEffect(() => {
    if (state === "idle") return;
    const t = setTimeout(() => setState("idle"), 1500);
    return () => clearTimeout(t);
  }, [state]);

  const copy = (text: string) => {
    if (!navigator.clipboard) return setState("failed");
    navigator.clipboard.writeText(text).then(
      () => setState("copied"),
      () => setState("failed"),
    );
  };
  return [state, copy];
}
