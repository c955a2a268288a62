/**
 * The operator views' shared class names: one type scale, one spacing scale, one set of
 * controls, so every page looks like the same tool in light and dark.
 */

const focus =
  "focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-600";

export const buttonClass = {
  primary: `inline-flex items-center justify-center gap-2 rounded-md bg-zinc-900 px-3 py-1.5 text-sm font-medium text-white hover:bg-zinc-700 disabled:cursor-not-allowed disabled:opacity-50 dark:bg-zinc-100 dark:text-zinc-900 dark:hover:bg-zinc-300 ${focus}`,
  secondary: `inline-flex items-center justify-center gap-2 rounded-md border border-zinc-300 bg-white px-3 py-1.5 text-sm font-medium text-zinc-800 hover:bg-zinc-100 disabled:cursor-not-allowed disabled:opacity-50 dark:border-zinc-700 dark:bg-zinc-900 dark:text-zinc-200 dark:hover:bg-zinc-800 ${focus}`,
  danger: `inline-flex items-center justify-center gap-2 rounded-md bg-red-700 px-3 py-1.5 text-sm font-medium text-white hover:bg-red-600 disabled:cursor-not-allowed disabled:opacity-50 ${focus}`,
  ghost: `inline-flex items-center justify-center gap-1 rounded-md px-2 py-1 text-sm text-zinc-700 hover:bg-zinc-200/70 disabled:opacity-50 dark:text-zinc-300 dark:hover:bg-zinc-800 ${focus}`,
} as const;

export const inputClass = `w-full rounded-md border border-zinc-300 bg-white px-3 py-1.5 text-sm text-zinc-900 placeholder:text-zinc-500 dark:border-zinc-700 dark:bg-zinc-900 dark:text-zinc-100 dark:placeholder:text-zinc-400 ${focus}`;

export const labelClass = "text-sm font-medium text-zinc-700 dark:text-zinc-300";

export const hintClass = "text-xs text-zinc-600 dark:text-zinc-400";

export const cardClass =
  "rounded-xl border border-zinc-200 bg-white dark:border-zinc-800 dark:bg-zinc-900";

export const linkClass = `font-medium text-sky-700 underline-offset-2 hover:underline dark:text-sky-400 ${focus}`;
