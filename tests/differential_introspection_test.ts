// Differential tests for the introspection commands of Redis's unit/introspection and
// unit/introspection-2: CONFIG SET of several parameters at once (all or nothing, Redis's error
// for each phase), CONFIG GET of a hidden directive and of maxmemory-clients, COMMAND LIST with
// its filters, COMMAND GETKEYSANDFLAGS, COMMAND INFO of a name nested too deep, CLIENT NO-EVICT,
// CLIENT REPLY SKIP then ON, TOUCH, DEBUG under enable-debug-command no (the default) and
// local, and MODULE LOAD / LOADEX / UNLOAD under enable-module-command no — each reply byte
// for byte as redis-server 7.0 gives it.
//
// What a byte comparison cannot judge (timestamps, addresses, a port in use) is checked against
// resplica alone in introspection_test.ts.

import {
  type DiffCase,
  ERR_SYNTAX,
  expect,
  runCorpus,
  withDiffPeers,
} from "./_support/differential.ts";
import { peerTest, startRedisServer } from "./_support/redis_peer.ts";
import { startServer } from "../mod.ts";

const configCases: DiffCase[] = [
  {
    name: "CONFIG SET of several parameters sets them all",
    steps: [
      expect("CONFIG SET maxmemory 10000001 maxmemory-samples 7", "+OK\r\n"),
      "CONFIG GET maxmemory",
      "CONFIG GET maxmemory-samples",
      expect("CONFIG SET maxmemory 0 maxmemory-samples 5", "+OK\r\n"),
    ],
  },
  {
    name: "CONFIG SET: a bad value sets nothing, and the first bad value is named",
    steps: [
      expect("CONFIG SET maxmemory 10000002", "+OK\r\n"),
      expect(
        "CONFIG SET maxmemory 10000001 maxmemory-clients 200% client-query-buffer-limit invalid",
        "-ERR CONFIG SET failed (possibly related to argument 'maxmemory-clients') - " +
          "percentage argument must be less or equal to 100\r\n",
      ),
      expect("CONFIG GET maxmemory", "*2\r\n$9\r\nmaxmemory\r\n$8\r\n10000002\r\n"),
      "CONFIG GET maxmemory-clients",
      "CONFIG GET client-query-buffer-limit",
      "CONFIG SET maxmemory-clients abc",
      "CONFIG SET maxmemory 0",
    ],
  },
  {
    name: "CONFIG SET: unknown, immutable and duplicate parameters, odd argument count",
    steps: [
      "CONFIG SET nosuchparameter 1",
      "CONFIG SET maxmemory 1 nosuchparameter 1",
      "CONFIG SET daemonize yes",
      "CONFIG SET maxmemory 1 daemonize yes",
      "CONFIG SET maxmemory 10000001 maxmemory 10000002",
      "CONFIG SET maxmemory 10000001 MAXMEMORY 10000002",
      expect("CONFIG SET maxmemory 1 maxmemory-samples", ERR_SYNTAX),
      expect("CONFIG GET maxmemory", "*2\r\n$9\r\nmaxmemory\r\n$1\r\n0\r\n"),
    ],
  },
  {
    name: "maxmemory-clients takes bytes or a percentage, shown as Redis shows it",
    steps: [
      expect("CONFIG GET maxmemory-clients", "*2\r\n$17\r\nmaxmemory-clients\r\n$1\r\n0\r\n"),
      "CONFIG SET maxmemory-clients 50%",
      "CONFIG GET maxmemory-clients",
      "CONFIG SET maxmemory-clients 1mb",
      "CONFIG GET maxmemory-clients",
      "CONFIG SET maxmemory-clients 101%",
      "CONFIG SET maxmemory-clients -1",
      "CONFIG SET maxmemory-clients 0",
    ],
  },
  {
    name: "a hidden directive answers by its name only, never to a pattern",
    steps: [
      expect("CONFIG GET key-load-delay", "*2\r\n$14\r\nkey-load-delay\r\n$1\r\n0\r\n"),
      expect("CONFIG GET key-load-*", "*0\r\n"),
      "CONFIG SET key-load-delay 0",
      // The set unit's long-chain test saves and restores it around its BGSAVEs.
      "CONFIG GET rdb-key-save-delay",
      "CONFIG SET rdb-key-save-delay 2147483647",
      "CONFIG GET rdb-key-save-delay",
      "CONFIG SET rdb-key-save-delay 0",
    ],
  },
  {
    name: "setting a directive to its current value is accepted (port, bind)",
    steps: [
      expect("CONFIG SET bind 127.0.0.1", "+OK\r\n"),
      expect("CONFIG GET bind", "*2\r\n$4\r\nbind\r\n$9\r\n127.0.0.1\r\n"),
    ],
  },
];

const commandCases: DiffCase[] = [
  {
    name: "COMMAND LIST: syntax errors and the filters that match nothing",
    steps: [
      expect("COMMAND LIST bad_arg", ERR_SYNTAX),
      expect("COMMAND LIST FILTERBY bad_arg", ERR_SYNTAX),
      expect("COMMAND LIST FILTERBY bad_arg bad_arg2", ERR_SYNTAX),
      expect("COMMAND LIST FILTERBY pattern set extra", ERR_SYNTAX),
      expect("COMMAND LIST FILTERBY aclcat non_existing_category", "*0\r\n"),
      expect("COMMAND LIST FILTERBY module non_existing_module", "*0\r\n"),
      expect("COMMAND LIST FILTERBY pattern non_exists*", "*0\r\n"),
      expect("COMMAND LIST FILTERBY pattern set", "*1\r\n$3\r\nset\r\n"),
      expect("COMMAND LIST FILTERBY PATTERN GET", "*1\r\n$3\r\nget\r\n"),
      { args: ["COMMAND", "LIST", "FILTERBY", "pattern", "config|*re*"], sortArray: true },
      { args: ["COMMAND", "LIST", "FILTERBY", "pattern", "client|*name"], sortArray: true },
    ],
  },
  {
    name: "CLUSTER without cluster mode: every subcommand exists and is refused",
    steps: [
      "CLUSTER INFO",
      "CLUSTER HELP",
      "CLUSTER KEYSLOT a",
      "CLUSTER NOSUCH",
      "CLUSTER KEYSLOT",
      "CLUSTER",
      { args: ["COMMAND", "LIST", "FILTERBY", "pattern", "cl*help"], sortArray: true },
      { args: ["COMMAND", "LIST", "FILTERBY", "pattern", "cluster*"], sortArray: true },
    ],
  },
  {
    name: "COMMAND GETKEYSANDFLAGS names each key with its key-spec flags",
    steps: [
      "COMMAND GETKEYSANDFLAGS set k1 v1",
      "COMMAND GETKEYSANDFLAGS mset k1 v1 k2 v2",
      "COMMAND GETKEYSANDFLAGS LMOVE k1 k2 left right",
      "COMMAND GETKEYSANDFLAGS sort k1 store k2",
      "COMMAND GETKEYSANDFLAGS get",
      "COMMAND GETKEYSANDFLAGS nosuchcommand k",
      "COMMAND GETKEYSANDFLAGS ping",
      "COMMAND GETKEYS memory usage key",
    ],
  },
  {
    name: "COMMAND INFO of a subcommand of a subcommand is a null entry",
    steps: [
      expect("COMMAND INFO get|key", "*1\r\n$-1\r\n"),
      expect("COMMAND INFO config|get|key", "*1\r\n$-1\r\n"),
    ],
  },
];

const clientCases: DiffCase[] = [
  {
    name: "CLIENT NO-EVICT on, off and a bad mode",
    steps: [
      expect("CLIENT NO-EVICT on", "+OK\r\n"),
      expect("CLIENT NO-EVICT OFF", "+OK\r\n"),
      expect("CLIENT NO-EVICT maybe", ERR_SYNTAX),
      "CLIENT NO-EVICT",
    ],
  },
  {
    name: "CLIENT REPLY ON after SKIP answers +OK, then replies resume",
    steps: [
      {
        raw: "CLIENT REPLY SKIP\r\nCLIENT REPLY ON\r\nPING\r\n",
        replies: 2,
        expect: "+OK\r\n",
      },
    ],
  },
  {
    name: "TOUCH counts the keys that exist, a repeated one each time",
    steps: [
      "SET key1{t} 1",
      "SET key2{t} 2",
      expect("TOUCH key0{t} key1{t} key2{t} key3{t}", ":2\r\n"),
      expect("TOUCH key1{t} key1{t}", ":2\r\n"),
      expect("TOUCH nokey", ":0\r\n"),
      "TOUCH",
    ],
  },
];

peerTest("CONFIG SET / GET of several parameters match redis-server", async (t) => {
  await withDiffPeers((reference, subject) =>
    runCorpus(t, configCases, reference, subject, { noun: "CONFIG cases" })
  );
});

peerTest("COMMAND LIST / GETKEYSANDFLAGS / INFO match redis-server", async (t) => {
  await withDiffPeers((reference, subject) =>
    runCorpus(t, commandCases, reference, subject, { noun: "COMMAND cases" })
  );
});

peerTest("CLIENT NO-EVICT, CLIENT REPLY and TOUCH match redis-server", async (t) => {
  await withDiffPeers((reference, subject) =>
    runCorpus(t, clientCases, reference, subject, { noun: "client cases" })
  );
});

const ERR_DEBUG_NOT_ALLOWED = "-ERR DEBUG command not allowed. If the enable-debug-command " +
  'option is set to "local", you can run it from a local connection, otherwise you need to set ' +
  "this option in the configuration file, and then restart the server.\r\n";

/** DEBUG with enable-debug-command at its default, no: refused before it runs, as Redis. */
const debugOffCases: DiffCase[] = [
  {
    name: "DEBUG is off by default: refused after the arity check, counted as rejected",
    steps: [
      expect(
        "CONFIG GET enable-debug-command",
        "*2\r\n$20\r\nenable-debug-command\r\n$2\r\nno\r\n",
      ),
      expect("DEBUG SLEEP 0", ERR_DEBUG_NOT_ALLOWED),
      expect("DEBUG HELP", ERR_DEBUG_NOT_ALLOWED),
      "DEBUG",
      "CONFIG SET enable-debug-command yes",
      // Refused while queueing: EXEC then aborts.
      expect("MULTI", "+OK\r\n"),
      expect("DEBUG SLEEP 0", ERR_DEBUG_NOT_ALLOWED),
      "EXEC",
      // A script meets the noscript check, never the protected one.
      ["EVAL", "return redis.pcall('DEBUG','SLEEP','0')", "0"],
      "INFO errorstats",
    ],
  },
];

const ERR_MODULE_NOT_ALLOWED = "-ERR MODULE command not allowed. If the enable-module-command " +
  'option is set to "local", you can run it from a local connection, otherwise you need to set ' +
  "this option in the configuration file, and then restart the server.\r\n";

/**
 * MODULE LOAD / LOADEX / UNLOAD under enable-module-command no (the default): refused by the
 * dispatcher before the handler, so commandstats counts rejected calls and EXEC aborts.
 */
const moduleOffCases: DiffCase[] = [
  {
    name: "MODULE LOAD/LOADEX/UNLOAD are refused before they run, LIST is not",
    steps: [
      "CONFIG RESETSTAT",
      expect("MODULE LOAD /nonexistent/module.so", ERR_MODULE_NOT_ALLOWED),
      expect("MODULE LOADEX /nonexistent/module.so", ERR_MODULE_NOT_ALLOWED),
      expect("MODULE UNLOAD nosuch", ERR_MODULE_NOT_ALLOWED),
      expect("MODULE LIST", "*0\r\n"),
      "MODULE LOAD", // refused by the arity check: rejected too
      expect("MULTI", "+OK\r\n"),
      expect("MODULE UNLOAD nosuch", ERR_MODULE_NOT_ALLOWED),
      "EXEC",
      {
        args: ["INFO", "commandstats"],
        pattern:
          /cmdstat_module\|unload:calls=0,usec=0,usec_per_call=0\.00,rejected_calls=2,failed_calls=0\r\n/,
      },
      {
        args: ["INFO", "commandstats"],
        pattern:
          /cmdstat_module\|load:calls=0,usec=0,usec_per_call=0\.00,rejected_calls=2,failed_calls=0\r\n/,
      },
      "INFO errorstats",
    ],
  },
];

peerTest("MODULE with enable-module-command no matches redis-server", async (t) => {
  await withDiffPeers((reference, subject) =>
    runCorpus(t, moduleOffCases, reference, subject, { noun: "MODULE cases" })
  );
});

peerTest("DEBUG with enable-debug-command no matches redis-server", async (t) => {
  await withDiffPeers((reference, subject) =>
    runCorpus(t, debugOffCases, reference, subject, { noun: "DEBUG cases" })
  );
});

peerTest(
  "DEBUG with enable-debug-command local runs for a 127.0.0.1 client, as redis-server",
  async (t) => {
    const reference = await startRedisServer(["--enable-debug-command", "local"]);
    const ours = await startServer({
      port: 0,
      logLevel: "nothing",
      config: { "enable-debug-command": "local" },
    });
    try {
      await runCorpus(
        t,
        [{
          name: "local: a loopback client may run DEBUG",
          steps: [
            expect(
              "CONFIG GET enable-debug-command",
              "*2\r\n$20\r\nenable-debug-command\r\n$5\r\nlocal\r\n",
            ),
            expect("DEBUG SLEEP 0", "+OK\r\n"),
            "SET k v",
            "DEBUG DIGEST-VALUE k",
          ],
        }],
        { label: "redis-server", port: reference.port },
        {
          label: "resplica",
          port: ours.port,
        },
        { noun: "DEBUG cases" },
      );
    } finally {
      await ours.close();
      await reference.stop();
    }
  },
);
