"use client";

/** A request's description (markdown, mq9.md §12.1), rendered without raw HTML. */
import Markdown, { type Components } from "react-markdown";

// Markdown from agents is untrusted: no raw HTML (react-markdown drops it with skipHtml),
// links open elsewhere without handing over this page.
const MD: Components = {
  a: ({ href, children }) => (
    <a
      href={href}
      target="_blank"
      rel="noopener noreferrer nofollow"
      className="text-sky-700 underline dark:text-sky-400"
    >
      {children}
    </a>
  ),
  p: ({ children }) => <p className="my-1.5">{children}</p>,
  ul: ({ children }) => <ul className="my-1.5 list-disc pl-5">{children}</ul>,
  ol: ({ children }) => <ol className="my-1.5 list-decimal pl-5">{children}</ol>,
  h1: ({ children }) => <h4 className="mt-2 mb-1 font-semibold">{children}</h4>,
  h2: ({ children }) => <h4 className="mt-2 mb-1 font-semibold">{children}</h4>,
  h3: ({ children }) => <h4 className="mt-2 mb-1 font-semibold">{children}</h4>,
  code: ({ children }) => (
    <code className="rounded bg-zinc-100 px-1 font-mono text-[0.85em] dark:bg-zinc-800">
      {children}
    </code>
  ),
  pre: ({ children }) => (
    <pre className="my-1.5 overflow-x-auto rounded bg-zinc-100 p-2 text-xs dark:bg-zinc-800">
      {children}
    </pre>
  ),
  table: ({ children }) => (
    <table className="my-1.5 border-collapse text-xs [&_td]:border [&_td]:border-zinc-300 [&_td]:px-2 [&_td]:py-0.5 dark:[&_td]:border-zinc-700 [&_th]:border [&_th]:border-zinc-300 [&_th]:px-2 dark:[&_th]:border-zinc-700">
      {children}
    </table>
  ),
  img: ({ alt }) => <span className="text-zinc-500">[image: {alt}]</span>,
};

export default function MarkdownBody({ text }: { text: string }) {
  return (
    <Markdown skipHtml components={MD}>
      {text}
    </Markdown>
  );
}
