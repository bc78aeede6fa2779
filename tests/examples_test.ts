// Runs each example as its own process, as a user would, and checks what it prints.
import assert from "node:assert/strict";

async function runExample(path: string): Promise<string> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-net=127.0.0.1", "--allow-read", "--allow-env", "--allow-sys", path],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stdout = new TextDecoder().decode(output.stdout);
  assert.equal(output.code, 0, new TextDecoder().decode(output.stderr));
  return stdout;
}

Deno.test("examples/embedded.ts runs and prints the store's answers", async () => {
  const stdout = await runExample("examples/embedded.ts");
  assert.match(stdout, /name: Ada/);
  assert.match(stdout, /views: 42/);
  assert.match(stdout, /session ttl \(s\): 30/);
});

Deno.test("examples/server.ts serves the embedded store over RESP", async () => {
  const stdout = await runExample("examples/server.ts");
  assert.match(stdout, /reply: "\$23\\r\\nserved from WASM memory\\r\\n"/);
});

Deno.test("examples/replica_cache.ts keeps a cache in sync through an embedded replica", async () => {
  const stdout = await runExample("examples/replica_cache.ts");
  assert.match(stdout, /cache: 2 products loaded/);
  assert.match(stdout, /cache: product:1 set -> tea 4\.25/);
  assert.match(stdout, /cache: product:2 del -> gone/);
  assert.match(stdout, /tea costs 4\.25/);
  assert.match(stdout, /in-process read: \{"name":"scone","priceCents":275\}/);
});
