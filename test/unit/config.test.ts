import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { DEFAULT_CONFIG, parseConfig, type Config, type ParseResult } from "../../server/config";

function config(r: ParseResult): Config {
  assert.equal(r.kind, "run", r.kind === "error" ? r.message : r.kind);
  return (r as { config: Config }).config;
}

function error(r: ParseResult): string {
  assert.equal(r.kind, "error");
  return (r as { message: string }).message;
}

describe("parseConfig", () => {
  it("uses the documented defaults with no flags and no environment", () => {
    assert.deepEqual(config(parseConfig([], {})), {
      host: "127.0.0.1",
      port: 4222,
      wsPort: null,
      httpPort: 3000,
      dataDir: "./data",
    });
    assert.deepEqual(config(parseConfig([], {})), DEFAULT_CONFIG);
  });

  it("reads every flag, in both --flag value and --flag=value forms", () => {
    const c = config(
      parseConfig(
        [
          "--host",
          "0.0.0.0",
          "--port=5222",
          "--ws-port",
          "8080",
          "--http-port=0",
          "--data",
          "/tmp/x",
        ],
        {},
      ),
    );
    assert.deepEqual(c, {
      host: "0.0.0.0",
      port: 5222,
      wsPort: 8080,
      httpPort: 0,
      dataDir: "/tmp/x",
    });
  });

  it("reads every environment variable", () => {
    const c = config(
      parseConfig([], {
        MQ9_HOST: "::1",
        MQ9_PORT: "1",
        MQ9_WS_PORT: "65535",
        MQ9_HTTP_PORT: "8000",
        MQ9_DATA: "state dir",
      }),
    );
    assert.deepEqual(c, {
      host: "::1",
      port: 1,
      wsPort: 65535,
      httpPort: 8000,
      dataDir: "state dir",
    });
  });

  it("lets a flag win over its environment variable", () => {
    const c = config(parseConfig(["--port", "7000"], { MQ9_PORT: "6000", MQ9_HOST: "10.0.0.1" }));
    assert.equal(c.port, 7000);
    assert.equal(c.host, "10.0.0.1");
  });

  it("treats an empty environment variable as unset", () => {
    assert.equal(config(parseConfig([], { MQ9_PORT: "" })).port, 4222);
  });

  it("turns the WebSocket port off with 'off', also over the environment", () => {
    assert.equal(config(parseConfig(["--ws-port", "off"], { MQ9_WS_PORT: "9000" })).wsPort, null);
  });

  it("keeps the last of a repeated flag", () => {
    assert.equal(config(parseConfig(["--port", "1", "--port", "2"], {})).port, 2);
  });

  for (const bad of ["-1", "65536", "4.5", "abc", "", " 42", "0x10", "1e3", "123456"]) {
    it(`rejects port ${JSON.stringify(bad)} with a message naming the flag`, () => {
      const msg = error(parseConfig([`--port=${bad}`], {}));
      assert.match(msg, /--port/);
      assert.match(msg, /0 to 65535/);
    });
  }

  it("names the environment variable when its value is bad", () => {
    assert.match(error(parseConfig([], { MQ9_HTTP_PORT: "http" })), /MQ9_HTTP_PORT: "http"/);
  });

  it("accepts the port bounds 0 and 65535", () => {
    assert.equal(config(parseConfig(["--port", "0"], {})).port, 0);
    assert.equal(config(parseConfig(["--port", "65535"], {})).port, 65535);
  });

  it("rejects unknown options, stray arguments and missing values", () => {
    assert.match(error(parseConfig(["--prot", "1"], {})), /unknown option --prot/);
    assert.match(error(parseConfig(["4222"], {})), /unexpected argument "4222"/);
    assert.match(error(parseConfig(["--port"], {})), /--port needs a value/);
    assert.match(error(parseConfig(["--port", "--host", "x"], {})), /--port needs a value/);
  });

  it("rejects a host with spaces or an empty host", () => {
    assert.match(error(parseConfig(["--host", "a b"], {})), /--host/);
    assert.match(error(parseConfig(["--host="], {})), /--host/);
  });

  it("asks for help with --help, even after other flags", () => {
    assert.equal(parseConfig(["--port", "1", "--help"], {}).kind, "help");
  });

  it("reports a bad environment variable even when a flag would override it", () => {
    // A broken environment is a mistake worth surfacing, not something to paper over.
    assert.equal(parseConfig(["--port", "1"], { MQ9_PORT: "x" }).kind, "error");
  });
});
