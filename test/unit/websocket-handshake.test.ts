/**
 * The opening handshake checks and 101 response (nats-wire-notes §2.1), without sockets.
 */
import assert from "node:assert/strict";
import type { IncomingHttpHeaders } from "node:http";
import { describe, it } from "node:test";
import * as wsModule from "ws";
import {
  acceptHandshake,
  acceptKey,
  HandshakeError,
  type HandshakeOptions,
  type HandshakeRequest,
  handshakeErrorResponse,
} from "../../server/nats/transports/websocket/handshake";

// ws exports its header parser at runtime (wrapper.mjs); @types/ws does not declare it.
const wsExtension = (
  wsModule as unknown as { extension: { parse(header: string): Record<string, unknown[]> } }
).extension;

const KEY = "dGhlIHNhbXBsZSBub25jZQ==";

function request(headers: IncomingHttpHeaders = {}, method = "GET") {
  return {
    method,
    headers: {
      host: "localhost:8080",
      upgrade: "websocket",
      connection: "Upgrade",
      "sec-websocket-key": KEY,
      "sec-websocket-version": "13",
      ...headers,
    },
  };
}

function expectStatus(
  req: HandshakeRequest,
  status: number,
  message: RegExp,
  opts?: HandshakeOptions,
) {
  assert.throws(
    () => acceptHandshake(req, opts),
    (err: unknown) => {
      assert.ok(err instanceof HandshakeError);
      assert.equal(err.status, status);
      assert.match(err.message, message);
      return true;
    },
  );
}

function headerLines(response: string): string[] {
  return response.split("\r\n");
}

describe("accept key", () => {
  it("matches RFC 6455's example", () => {
    assert.equal(acceptKey(KEY), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
  });
});

describe("acceptHandshake", () => {
  it("answers 101 with exactly the headers nats-server sends", () => {
    const { response, compression } = acceptHandshake(request());
    assert.equal(compression, false);
    assert.equal(
      response,
      "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
        "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n",
    );
  });

  it("never echoes a requested subprotocol", () => {
    const { response } = acceptHandshake(request({ "sec-websocket-protocol": "nats, mqtt" }));
    assert.doesNotMatch(response, /Sec-WebSocket-Protocol/i);
  });

  it("accepts header tokens in any case and in lists", () => {
    acceptHandshake(
      request({
        upgrade: "WebSocket",
        connection: "keep-alive, Upgrade",
        "sec-websocket-version": "13",
      }),
    );
    acceptHandshake(request({ connection: ["keep-alive", "upgrade"] as unknown as string }));
  });

  describe("checks in nats-server's order, each with its status", () => {
    it("method first: 405 even when everything else is missing too", () => {
      expectStatus({ method: "POST", headers: {} }, 405, /GET/);
    });
    it("then Host", () => {
      expectStatus(request({ host: undefined, upgrade: undefined }), 400, /Host/);
    });
    it("then Upgrade", () => {
      expectStatus(request({ upgrade: "h2c", connection: "close" }), 400, /'Upgrade'/);
      expectStatus(request({ upgrade: undefined }), 400, /'Upgrade'/);
    });
    it("then Connection", () => {
      expectStatus(
        request({ connection: "keep-alive", "sec-websocket-key": undefined }),
        400,
        /'Connection'/,
      );
    });
    it("then the key: present and base64 of 16 bytes", () => {
      expectStatus(
        request({ "sec-websocket-key": undefined, "sec-websocket-version": "8" }),
        400,
        /key missing/,
      );
      expectStatus(request({ "sec-websocket-key": "c2hvcnQ=" }), 400, /invalid key/);
      expectStatus(request({ "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ" }), 400, /invalid key/);
      expectStatus(
        request({ "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZSEh" }),
        400,
        /invalid key/,
      );
    });
    it("then the version", () => {
      expectStatus(request({ "sec-websocket-version": "8" }), 400, /invalid version/);
      expectStatus(request({ "sec-websocket-version": undefined }), 400, /invalid version/);
    });
  });

  describe("origin", () => {
    const allowed: HandshakeOptions = {
      allowedOrigins: ["https://app.example.com", "http://localhost:3000"],
    };
    it("is not checked when nothing is configured", () => {
      acceptHandshake(request({ origin: "https://evil.example" }));
    });
    it("is not checked when the request has no Origin", () => {
      acceptHandshake(request(), allowed);
      acceptHandshake(request(), { sameOrigin: true });
    });
    it("must be in allowed_origins, scheme and port included", () => {
      acceptHandshake(request({ origin: "https://app.example.com" }), allowed);
      acceptHandshake(request({ origin: "https://APP.example.com:443" }), allowed);
      acceptHandshake(request({ origin: "http://localhost:3000" }), allowed);
      expectStatus(
        request({ origin: "http://app.example.com" }),
        403,
        /not in the allowed list/,
        allowed,
      );
      expectStatus(
        request({ origin: "http://localhost:3001" }),
        403,
        /not in the allowed list/,
        allowed,
      );
      expectStatus(request({ origin: "https://evil.example" }), 403, /origin not allowed/, allowed);
    });
    it("same_origin compares with Host, default ports filled in", () => {
      acceptHandshake(request({ origin: "http://localhost:8080" }), { sameOrigin: true });
      acceptHandshake(request({ host: "example.com", origin: "http://example.com" }), {
        sameOrigin: true,
      });
      expectStatus(request({ origin: "http://localhost:3000" }), 403, /not same origin/, {
        sameOrigin: true,
      });
      expectStatus(request({ origin: "not a url" }), 403, /origin/, { sameOrigin: true });
    });
    it("is checked after the version", () => {
      expectStatus(
        request({ origin: "https://evil.example", "sec-websocket-version": "7" }),
        400,
        /version/,
        allowed,
      );
    });
  });

  describe("permessage-deflate", () => {
    const on: HandshakeOptions = { compression: true };
    const EXT = "permessage-deflate; server_no_context_takeover; client_no_context_takeover";

    it("is answered only when enabled and offered", () => {
      const offered = { "sec-websocket-extensions": "permessage-deflate; client_max_window_bits" };
      assert.equal(acceptHandshake(request(offered)).compression, false);
      assert.equal(acceptHandshake(request(), on).compression, false);
      const { response, compression } = acceptHandshake(request(offered), on);
      assert.equal(compression, true);
      assert.ok(headerLines(response).includes(`Sec-WebSocket-Extensions: ${EXT}`));
    });

    it("always answers with both no-context-takeover flags, in a form ws parses", () => {
      const { response } = acceptHandshake(
        request({ "sec-websocket-extensions": "permessage-deflate" }),
        on,
      );
      const line = headerLines(response).find((l) => l.startsWith("Sec-WebSocket-Extensions: "));
      assert.ok(line);
      const parsed = wsExtension.parse(line.slice("Sec-WebSocket-Extensions: ".length));
      assert.deepEqual(JSON.parse(JSON.stringify(parsed)), {
        "permessage-deflate": [
          { server_no_context_takeover: [true], client_no_context_takeover: [true] },
        ],
      });
    });

    it("declines offers it cannot honour and takes a later one", () => {
      const narrow = "permessage-deflate; server_max_window_bits=10";
      assert.equal(
        acceptHandshake(request({ "sec-websocket-extensions": narrow }), on).compression,
        false,
      );
      assert.equal(
        acceptHandshake(
          request({ "sec-websocket-extensions": "permessage-deflate; x-unknown" }),
          on,
        ).compression,
        false,
      );
      const both = `${narrow}, permessage-deflate; client_max_window_bits=12; server_no_context_takeover`;
      assert.equal(
        acceptHandshake(request({ "sec-websocket-extensions": both }), on).compression,
        true,
      );
      const other = "x-webkit-deflate-frame, permessage-deflate";
      assert.equal(
        acceptHandshake(request({ "sec-websocket-extensions": other }), on).compression,
        true,
      );
    });
  });
});

describe("handshakeErrorResponse", () => {
  it("is a complete HTTP response with the version header", () => {
    const res = handshakeErrorResponse(400);
    assert.match(res, /^HTTP\/1\.1 400 Bad Request\r\n/);
    assert.match(res, /\r\nSec-WebSocket-Version: 13\r\n/);
    const [head, body] = res.split("\r\n\r\n");
    assert.match(head!, /Content-Length: 12/);
    assert.equal(body, "Bad Request\n");
  });
});
