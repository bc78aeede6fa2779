// Tests for redis.conf parsing, flags and the directive table's validation.
import assert from "node:assert/strict";
import { applyArgs, applyConfigText, ConfigLoadError } from "../core/config/load.ts";
import { Config, ConfigValueError } from "../core/config/table.ts";
import { parseMemory, splitConfigLine } from "../core/config/units.ts";

Deno.test("parseMemory uses Redis's units (k = 1000, kb = 1024)", () => {
  assert.equal(parseMemory("1k"), 1000);
  assert.equal(parseMemory("1kb"), 1024);
  assert.equal(parseMemory("512mb"), 512 * 1024 * 1024);
  assert.equal(parseMemory("1GB"), 1024 ** 3);
  assert.equal(parseMemory("12"), 12);
  assert.equal(parseMemory("1xb"), null);
});

Deno.test("splitConfigLine handles quotes like sdssplitargs", () => {
  assert.deepEqual(splitConfigLine(`save "" `), ["save", ""]);
  assert.deepEqual(splitConfigLine(`requirepass "a b\\x41"`), ["requirepass", "a bA"]);
  assert.deepEqual(splitConfigLine(`dir 'x y'`), ["dir", "x y"]);
  assert.equal(splitConfigLine(`dir "unterminated`), null);
});

Deno.test("a redis.conf file sets directives and flags override it", () => {
  const config = new Config();
  const file = "# comment\nport 7001\nmaxclients 50\nproto-max-bulk-len 1mb\nbind 127.0.0.1 ::1\n";
  applyArgs(config, ["redis.conf", "--port", "7002"], () => file);
  assert.equal(config.getNumber("port"), 7002);
  assert.equal(config.getNumber("maxclients"), 50);
  assert.equal(config.getNumber("proto-max-bulk-len"), 1024 * 1024);
  assert.equal(config.getString("bind"), "127.0.0.1 ::1");
});

Deno.test("an unknown directive stops start-up naming the line", () => {
  const config = new Config();
  assert.throws(() => applyConfigText(config, "port 1\nportt 2\n", "x.conf"), (error: Error) => {
    assert.ok(error instanceof ConfigLoadError);
    assert.match(error.message, /x\.conf:2/);
    return true;
  });
});

Deno.test("values outside a directive's bounds are refused", () => {
  const config = new Config();
  assert.throws(() => config.setText("maxclients", "0", false), ConfigValueError);
  assert.throws(() => config.setText("maxclients", "abc", false), ConfigValueError);
  assert.throws(() => config.setText("daemonize", "yes", false), ConfigValueError); // immutable
  assert.throws(() => config.setText("loglevel", "loud", false), ConfigValueError);
  config.setText("loglevel", "WARNING", false);
  assert.equal(config.getString("loglevel"), "warning");
});
