import "server-only";
import { opsSnapshot } from "@/server/console/data/overview";
import { guardOperator } from "@/server/console/guard";

export const dynamic = "force-dynamic";

const INTERVAL_MS = 1000;

/**
 * Server-sent events: one `data:` line with an OpsSnapshot (broker and mq9 figures) per
 * second. The stream ends when the browser goes away (request aborted or body cancelled), so
 * no timer outlives its reader.
 */
export function GET(request: Request): Response {
  const refused = guardOperator(request);
  if (refused) return refused;
  if (!opsSnapshot()) {
    return Response.json(
      { error: "no broker runs in this process", code: "broker_not_running" },
      { status: 503 },
    );
  }
  const encoder = new TextEncoder();
  let timer: ReturnType<typeof setInterval> | undefined;
  const stop = () => {
    if (timer !== undefined) clearInterval(timer);
    timer = undefined;
  };

  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      const send = () => {
        const snapshot = opsSnapshot();
        if (!snapshot) {
          stop();
          controller.close();
          return;
        }
        controller.enqueue(encoder.encode(`data: ${JSON.stringify(snapshot)}\n\n`));
      };
      send();
      timer = setInterval(send, INTERVAL_MS);
      request.signal.addEventListener("abort", () => {
        stop();
        try {
          controller.close();
        } catch {
          // Already closed by cancel(); nothing left to release.
        }
      });
    },
    cancel: stop,
  });

  return new Response(body, {
    headers: {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-store, no-transform",
      "x-accel-buffering": "no",
    },
  });
}
