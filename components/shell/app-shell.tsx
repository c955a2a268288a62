import Link from "next/link";
import type { ReactNode } from "react";
import { NatsStatusBadge } from "@/components/nats/nats-provider";
import { NavLinks } from "./nav-links";

/** Header with the sections and the browser's NATS connection state, then the page. */
export function AppShell({ children }: { children: ReactNode }) {
  return (
    <div className="flex min-h-dvh flex-col">
      <a
        href="#main"
        className="sr-only focus:not-sr-only focus:absolute focus:left-2 focus:top-2 focus:z-50 focus:rounded focus:bg-white focus:px-3 focus:py-2 focus:text-sm dark:focus:bg-zinc-900"
      >
        Skip to content
      </a>
      <header className="sticky top-0 z-30 border-b border-zinc-200 bg-white/90 backdrop-blur dark:border-zinc-800 dark:bg-zinc-950/90">
        <nav
          aria-label="Main"
          className="mx-auto flex max-w-screen-2xl flex-wrap items-center gap-x-6 gap-y-2 px-4 py-2"
        >
          <Link
            href="/inbox"
            className="text-base font-semibold tracking-tight focus-visible:outline-2 focus-visible:outline-sky-600"
          >
            mq9
          </Link>
          <NavLinks />
          <div className="ml-auto">
            <NatsStatusBadge />
          </div>
        </nav>
      </header>
      <main id="main" className="mx-auto w-full max-w-screen-2xl flex-1 px-4 py-4">
        {children}
      </main>
    </div>
  );
}
