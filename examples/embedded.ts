// Embedded resplica: a keyspace inside this Deno process, no server, no socket.
// Run: deno run --allow-read examples/embedded.ts
import { openStore } from "../mod.ts";

const store = openStore();

store.set("user:1:name", "Ada");
store.set("session:abc", "user:1", { ex: 30 });
store.incr("page:views");
store.incrBy("page:views", 41);

console.log("name:", store.get("user:1:name"));
console.log("views:", store.get("page:views"));
console.log("session ttl (s):", store.ttl("session:abc"));
console.log("keys:", store.keys("user:*"));

store.close();
