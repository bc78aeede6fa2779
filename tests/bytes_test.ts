// Unit tests for the byte helpers the command layer parses arguments with.
import assert from "node:assert/strict";
import { globMatch, parseInt64, utf8 } from "../core/bytes.ts";

Deno.test("parseInt64 accepts what Redis's string2ll accepts", () => {
  assert.equal(parseInt64(utf8("0")), 0n);
  assert.equal(parseInt64(utf8("-12")), -12n);
  assert.equal(parseInt64(utf8("9223372036854775807")), 9223372036854775807n);
  assert.equal(parseInt64(utf8("-9223372036854775808")), -9223372036854775808n);
});

Deno.test("parseInt64 rejects leading zeros, signs, spaces and overflow", () => {
  for (
    const text of [
      "",
      "-",
      "01",
      "-0",
      "+1",
      " 1",
      "1 ",
      "1.0",
      "9223372036854775808",
      "abc",
      "123456789012345678901",
    ]
  ) {
    assert.equal(parseInt64(utf8(text)), null, text);
  }
});

Deno.test("globMatch implements Redis patterns", () => {
  const m = (p: string, s: string) => globMatch(utf8(p), utf8(s));
  assert.ok(m("*", "anything"));
  assert.ok(m("h?llo", "hello"));
  assert.ok(!m("h?llo", "hllo"));
  assert.ok(m("h[ae]llo", "hallo"));
  assert.ok(!m("h[^e]llo", "hello"));
  assert.ok(m("h[a-b]llo", "hbllo"));
  assert.ok(m("h\\*llo", "h*llo"));
  assert.ok(!m("h\\*llo", "hello"));
  assert.ok(m("a*b*c", "aXXbYYc"));
  assert.ok(!m("a*b*c", "aXXbYY"));
});

Deno.test("globMatch answers a pattern that is exponential for naive backtracking", () => {
  // With recursive backtracking this case does not finish in any reasonable time.
  assert.equal(globMatch(utf8("*a".repeat(50) + "b"), utf8("a".repeat(60))), false);
  assert.equal(globMatch(utf8("*a".repeat(50)), utf8("a".repeat(60))), true);
});
