// INCRBYFLOAT's 80-bit long double model: checked against values redis-server 7.0 (x86-64)
// printed for the same sums, so a change to the rounding shows up here before the
// differential test.
import assert from "node:assert/strict";
import { addLongDouble, formatLongDoubleHuman, parseLongDouble } from "../core/long_double.ts";

function sum(...texts: string[]): string {
  let value = parseLongDouble("0")!;
  for (const text of texts) {
    // Redis stores each intermediate result as text and parses it back for the next call.
    value = parseLongDouble(formatLongDoubleHuman(addLongDouble(value, parseLongDouble(text)!)))!;
  }
  return formatLongDoubleHuman(value);
}

Deno.test("long double sums print as redis-server 7.0 prints them", () => {
  assert.equal(sum("10.5", "0.1"), "10.6");
  assert.equal(sum("10.5", "0.1", "-5", "5.0e3"), "5005.60000000000000009");
  assert.equal(sum("9223372036854775807", "3"), "9223372036854775810");
  assert.equal(sum("9223372036854775807", "0.5"), "9223372036854775807.5");
  assert.equal(sum("0x10"), "16");
  assert.equal(sum("-0.0"), "0");
});

Deno.test("parseLongDouble refuses what strtold-based string2ld refuses", () => {
  for (const text of ["", " 1", "1 ", "abc", "1e", "nan", "1e5000", "--1", "0x"]) {
    assert.equal(parseLongDouble(text), null, text);
  }
  assert.ok(parseLongDouble("inf")!.infinite);
  assert.ok(parseLongDouble("-Infinity")!.infinite);
});

Deno.test("a sum beyond the long double range is infinite", () => {
  const huge = parseLongDouble("1.1e4932")!;
  assert.ok(addLongDouble(huge, huge).infinite);
});
