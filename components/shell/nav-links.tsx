"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";

/** The main sections; `testId` is the e2e contract (see e2e/pages). */
const LINKS = [
  { href: "/inbox", label: "Inbox", testId: "nav-inbox", group: "human" },
  { href: "/ops", label: "Overview", testId: "nav-overview", group: "operator" },
  { href: "/ops/mailboxes", label: "Mailboxes", testId: "nav-mailboxes", group: "operator" },
  { href: "/ops/tail", label: "Live tail", testId: "nav-tail", group: "operator" },
  { href: "/ops/publish", label: "Publish", testId: "nav-publish", group: "operator" },
  {
    href: "/ops/dead-letters",
    label: "Dead letters",
    testId: "nav-dead-letters",
    group: "operator",
  },
  { href: "/ops/agents", label: "Agents", testId: "nav-agents", group: "operator" },
] as const;

function isActive(pathname: string, href: string): boolean {
  // The overview is a prefix of every operator page: only an exact match selects it.
  if (href === "/ops") return pathname === "/ops";
  return pathname === href || pathname.startsWith(`${href}/`);
}

export function NavLinks() {
  const pathname = usePathname() ?? "/";
  return (
    <ul className="flex flex-wrap items-center gap-1">
      {LINKS.map((l, i) => {
        const active = isActive(pathname, l.href);
        const divider = i > 0 && LINKS[i - 1]!.group !== l.group;
        return (
          <li key={l.href} className="flex items-center">
            {divider && <span aria-hidden className="mx-2 h-4 w-px bg-zinc-300 dark:bg-zinc-700" />}
            <Link
              href={l.href}
              data-testid={l.testId}
              aria-current={active ? "page" : undefined}
              className={`rounded-md px-2.5 py-1.5 text-sm font-medium transition-colors focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-600 ${
                active
                  ? "bg-zinc-900 text-white dark:bg-zinc-100 dark:text-zinc-900"
                  : "text-zinc-700 hover:bg-zinc-200/70 dark:text-zinc-300 dark:hover:bg-zinc-800"
              }`}
            >
              {l.label}
            </Link>
          </li>
        );
      })}
    </ul>
  );
}
