import type { Priority } from "@/lib/mq9/mod";

const STYLE: Record<Priority, string> = {
  urgent: "bg-red-100 text-red-800 dark:bg-red-950 dark:text-red-300",
  normal: "bg-zinc-100 text-zinc-700 dark:bg-zinc-800 dark:text-zinc-300",
  notify: "bg-sky-100 text-sky-800 dark:bg-sky-950 dark:text-sky-300",
};

export function PriorityBadge({ priority }: { priority: Priority }) {
  return (
    <span
      className={`inline-block rounded px-1.5 py-0.5 text-xs font-medium ${STYLE[priority]}`}
      data-priority={priority}
    >
      {priority}
    </span>
  );
}
