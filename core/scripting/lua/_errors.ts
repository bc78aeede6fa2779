// Redis's shaping of error texts inside scripts (script_lua.c luaPushErrorBuff): an error given as
// "-CODE message" keeps its code, one given as "message" gets "ERR", and trailing CR/LF go. Kept
// apart because both the wire (host errors into Lua) and the engine (hook errors) use it.

/**
 * Shapes an error text as Redis's luaPushErrorBuff does: "-WRONGTYPE x" → "WRONGTYPE x",
 * "-NOSCRIPT" → "ERR NOSCRIPT", "message" → "ERR message".
 */
export function formatLuaErrorText(text: string): string {
  let code = "ERR";
  let message = text;
  if (text.startsWith("-")) {
    const space = text.indexOf(" ");
    if (space < 0) {
      message = text.slice(1);
    } else {
      code = text.slice(1, space);
      message = text.slice(space + 1);
    }
  }
  return code + " " + message.replace(/^[\r\n]+|[\r\n]+$/g, "");
}
