import type { Metadata, Viewport } from "next";
import type { ReactNode } from "react";
import { NatsProvider } from "@/components/nats/nats-provider";
import { AppShell } from "@/components/shell/app-shell";
import { natsSession } from "@/server/console/guard";
import "./globals.css";

export const metadata: Metadata = {
  title: { default: "mq9 console", template: "%s · mq9" },
  description: "Answer your agents, and look after the mq9 broker that carries their mail",
};

export const viewport: Viewport = {
  colorScheme: "light dark",
  themeColor: [
    { media: "(prefers-color-scheme: light)", color: "#fafafa" },
    { media: "(prefers-color-scheme: dark)", color: "#09090b" },
  ],
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body className="min-h-dvh bg-zinc-50 font-sans text-zinc-900 antialiased dark:bg-zinc-950 dark:text-zinc-100">
        <NatsProvider initialSession={natsSession("human")}>
          <AppShell>{children}</AppShell>
        </NatsProvider>
      </body>
    </html>
  );
}
