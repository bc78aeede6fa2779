// wasm/build_lua.ts — derives wasm/build/lua-5.1.5-asyncify.wasm, the Lua 5.1.5 build the
// scripting engine runs, from the one `lua-wasm-bindings` ships, byte for byte reproducibly.
//
// Why a derived build: Redis answers other clients with -BUSY while a script runs too long, and
// lets SCRIPT KILL reach it. A Deno server serves sockets only when JavaScript returns to its
// event loop, so a long script must be able to pause and resume. Binaryen's Asyncify pass makes
// the module able to unwind its own call stack into linear memory at one import (fd_read, which
// the Lua side's interrupt hook reaches every HOOK_INSTRUCTION_COUNT instructions) and to rewind
// it later (core/scripting/lua/_wasm_lua.ts drives both). invoke_vii, the import through which
// Lua's setjmp-protected calls re-enter the module, is listed too: a pause may happen below it.
//
// Inputs are pinned: the shipped module (npm:lua-wasm-bindings@0.5.3) and Binaryen
// (npm:binaryen@131.0.0-nightly.20260721, the one AssemblyScript already uses), with constant
// pass arguments; CI rebuilds and compares. Run with `deno task build:wasm`.

import binaryen from "binaryen";

const OUTPUT_URL = new URL("./build/lua-5.1.5-asyncify.wasm", import.meta.url);
const GLUE_SPECIFIER = "lua-wasm/dist/glue/glue-lua-5.1.5.js";
/** The Emscripten glue names each import with a short key: these are the two we need. */
const ASYNC_IMPORT_FUNCTIONS = ["_fd_read", "invoke_vii"] as const;
/** Binaryen optimisation after instrumenting (Asyncify's output needs it to be fast). */
const OPTIMIZE_LEVEL = 2;
const SHRINK_LEVEL = 0;

/** The import keys (module "a") the glue gives `names`, read from the glue's import table. */
function importKeysOf(glueSource: string, names: readonly string[]): string[] {
  return names.map((name) => {
    const match = glueSource.match(new RegExp(`"([A-Za-z]+)":${name.replace("$", "\\$")}[,}]`));
    if (match === null) throw new Error(`build_lua: the glue imports no ${name}`);
    return `a.${match[1]}`;
  });
}

/** Instruments the shipped Lua module with Asyncify and returns the new module's bytes. */
export function buildLuaWasm(): Uint8Array {
  const glueUrl = new URL(import.meta.resolve(GLUE_SPECIFIER));
  const glueSource = Deno.readTextFileSync(glueUrl);
  const shipped = Deno.readFileSync(new URL("./glue-lua-5.1.5.wasm", glueUrl));
  const module = binaryen.readBinary(shipped);
  try {
    binaryen.setOptimizeLevel(OPTIMIZE_LEVEL);
    binaryen.setShrinkLevel(SHRINK_LEVEL);
    binaryen.setDebugInfo(false);
    binaryen.setPassArgument(
      "asyncify-imports",
      importKeysOf(glueSource, ASYNC_IMPORT_FUNCTIONS).join(","),
    );
    module.runPasses(["asyncify"]);
    module.optimize();
    if (!module.validate()) throw new Error("build_lua: the instrumented module does not validate");
    return module.emitBinary();
  } finally {
    module.dispose();
  }
}

if (import.meta.main) {
  const bytes = buildLuaWasm();
  Deno.mkdirSync(new URL("./build/", import.meta.url), { recursive: true });
  Deno.writeFileSync(OUTPUT_URL, bytes);
  console.log(`wrote ${OUTPUT_URL.pathname} (${bytes.byteLength} bytes)`);
}
