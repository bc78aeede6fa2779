// wasm/build.ts — compiles wasm/assembly/ into wasm/build/engine.wasm, byte for byte
// reproducibly.
//
// CI rebuilds the module and compares it with the committed file, so the output may depend
// only on the sources and the pinned compiler: the compiler is pinned in deno.json's import
// map (npm:assemblyscript@0.28.20), the flags are a constant list, file names are passed
// relative to wasm/ (they end up in assertion messages), no source map or timestamp is emitted, and the compiler reads and
// writes through callbacks instead of the process's working directory.
//
// Run with `deno task build:wasm`.

import asc from "assemblyscript/asc";

const WASM_DIR_URL = new URL("./", import.meta.url);
const OUTPUT_NAME = "build/engine.wasm";

/** Fixed compiler flags. Assertions stay on: they guard engine invariants. */
const ASC_FLAGS: readonly string[] = [
  "assembly/index.ts",
  "--outFile",
  OUTPUT_NAME,
  "--optimizeLevel",
  "3",
  "--shrinkLevel",
  "0",
  "--converge",
  "--runtime",
  "stub",
  "--initialMemory",
  "1",
];

/** Compiles the engine and returns the module bytes. Throws with the compiler's output. */
export async function buildEngineWasm(): Promise<Uint8Array> {
  let wasmBytes: Uint8Array | null = null;
  const stderrChunks: string[] = [];
  const stdoutChunks: string[] = [];
  const result = await asc.main([...ASC_FLAGS], {
    stdout: { write: (chunk: string | Uint8Array) => void stdoutChunks.push(String(chunk)) },
    stderr: { write: (chunk: string | Uint8Array) => void stderrChunks.push(String(chunk)) },
    readFile(fileName: string) {
      try {
        return Deno.readTextFileSync(new URL(fileName, WASM_DIR_URL));
      } catch (error) {
        if (error instanceof Deno.errors.NotFound) return null;
        throw error;
      }
    },
    writeFile(fileName: string, contents: Uint8Array | string) {
      if (fileName !== OUTPUT_NAME || typeof contents === "string") {
        throw new Error(`unexpected compiler output ${fileName}`);
      }
      wasmBytes = contents;
    },
    listFiles() {
      return [];
    },
  });
  if (result.error !== null || wasmBytes === null) {
    throw new Error(
      `asc failed: ${result.error?.message ?? "no output"}\n${stderrChunks.join("")}`,
    );
  }
  return wasmBytes;
}

if (import.meta.main) {
  const wasmBytes = await buildEngineWasm();
  const outputUrl = new URL(OUTPUT_NAME, WASM_DIR_URL);
  Deno.mkdirSync(new URL("./build/", WASM_DIR_URL), { recursive: true });
  Deno.writeFileSync(outputUrl, wasmBytes);
  console.log(`wrote ${outputUrl.pathname} (${wasmBytes.byteLength} bytes)`);
}
