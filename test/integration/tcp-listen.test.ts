/** The TCP listener: "all interfaces" takes both IPv4 and IPv6 clients, as nats-server does. */
import assert from "node:assert/strict";
import net from "node:net";
import { describe, it } from "node:test";
import { Broker, listenTcp } from "../../server/nats/mod";

async function canListenOnIpv6(): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once("error", () => resolve(false));
    s.listen(0, "::1", () => s.close(() => resolve(true)));
  });
}

function firstBytes(port: number, host: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, host);
    s.once("data", (d) => {
      s.destroy();
      resolve(d.toString("latin1"));
    });
    s.once("error", reject);
  });
}

describe("TCP listener", () => {
  it("on 0.0.0.0 serves IPv4 and IPv6 loopback clients", async (t) => {
    if (!(await canListenOnIpv6())) return t.skip("no IPv6 loopback on this machine");
    const broker = new Broker({});
    const listener = await listenTcp(broker, { host: "0.0.0.0", port: 0 });
    try {
      assert.equal(listener.address.host, "0.0.0.0");
      assert.match(await firstBytes(listener.address.port, "127.0.0.1"), /^INFO /);
      assert.match(await firstBytes(listener.address.port, "::1"), /^INFO /);
    } finally {
      await listener.close();
      await broker.shutdown(500);
    }
  });
});
