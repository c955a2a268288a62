/** A raw protocol connection for tests: everything the server sent, and a way to wait for more. */
import net from "node:net";

export interface RawConnection {
  socket: net.Socket;
  text(): string;
  /** Resolves with all text so far once it matches `re`; rejects after `timeoutMs`. */
  until(re: RegExp, timeoutMs?: number): Promise<string>;
  closed: Promise<void>;
}

export function rawConnection(port: number, host = "127.0.0.1"): RawConnection {
  const socket = net.connect(port, host);
  let text = "";
  const waiters = new Set<() => void>();
  socket.on("data", (d: Buffer) => {
    text += d.toString("latin1");
    for (const w of waiters) w();
  });
  socket.on("error", () => {});
  const closed = new Promise<void>((resolve) => socket.once("close", () => resolve()));
  const until = (re: RegExp, timeoutMs = 5000) =>
    new Promise<string>((resolve, reject) => {
      const check = () => {
        if (re.test(text)) {
          waiters.delete(check);
          clearTimeout(timer);
          resolve(text);
        }
      };
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(new Error(`timed out waiting for ${re}; got ${JSON.stringify(text.slice(-200))}`));
      }, timeoutMs);
      waiters.add(check);
      check();
    });
  return { socket, text: () => text, until, closed };
}
