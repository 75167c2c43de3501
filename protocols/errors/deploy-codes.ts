import type { ErrorCodeEntry } from './cairn-error.ts';

/** Error codes raised by deploy/ (nats-server discovery, launch and config generation). */
export const DeployCodes = {
  NATS_SERVER_NOT_FOUND: 'CAIRN_NATS_SERVER_NOT_FOUND',
  NATS_SERVER_VERSION_FAILED: 'CAIRN_NATS_SERVER_VERSION_FAILED',
  NATS_SERVER_START_FAILED: 'CAIRN_NATS_SERVER_START_FAILED',
  NATS_SERVER_START_TIMEOUT: 'CAIRN_NATS_SERVER_START_TIMEOUT',
  NATS_SERVER_PORT_IN_USE: 'CAIRN_NATS_SERVER_PORT_IN_USE',
  NATS_SERVER_START_ABORTED: 'CAIRN_NATS_SERVER_START_ABORTED',
  NATS_SERVER_LOGFILE_UNSUPPORTED: 'CAIRN_NATS_SERVER_LOGFILE_UNSUPPORTED',
  GO_NOT_FOUND: 'CAIRN_GO_NOT_FOUND',
  NATS_TOOL_INSTALL_FAILED: 'CAIRN_NATS_TOOL_INSTALL_FAILED',
  NATS_CLI_NOT_FOUND: 'CAIRN_NATS_CLI_NOT_FOUND',
  FREE_PORT_FAILED: 'CAIRN_FREE_PORT_FAILED',
  INVALID_PORT: 'CAIRN_INVALID_PORT',
  INVALID_CONFIG_VALUE: 'CAIRN_INVALID_CONFIG_VALUE',
  INVALID_SITE_CONFIG: 'CAIRN_INVALID_SITE_CONFIG',
  CLI_USAGE: 'CAIRN_CLI_USAGE',
  CLI_INVALID_JSON: 'CAIRN_CLI_INVALID_JSON',
  CLI_MESSAGE_TYPE_MISSING: 'CAIRN_CLI_MESSAGE_TYPE_MISSING',
  CLI_NO_NODES: 'CAIRN_CLI_NO_NODES',
  CLI_NODE_UNREACHABLE: 'CAIRN_CLI_NODE_UNREACHABLE',
  CLI_DEAD_LETTER_NOT_FOUND: 'CAIRN_CLI_DEAD_LETTER_NOT_FOUND',
  CLI_ACTOR_NOT_RUNNING: 'CAIRN_CLI_ACTOR_NOT_RUNNING',
  CLI_UP_FILE_INVALID: 'CAIRN_CLI_UP_FILE_INVALID',
  UP_ALREADY_RUNNING: 'CAIRN_UP_ALREADY_RUNNING',
  EXAMPLE_NOT_FOUND: 'CAIRN_EXAMPLE_NOT_FOUND',
  EXAMPLE_INVALID: 'CAIRN_EXAMPLE_INVALID',
  SITES_FILE_NOT_FOUND: 'CAIRN_SITES_FILE_NOT_FOUND',
  SITES_FILE_INVALID: 'CAIRN_SITES_FILE_INVALID',
  SITE_FILES_EXIST: 'CAIRN_SITE_FILES_EXIST',
  SITE_NOT_INITIALIZED: 'CAIRN_SITE_NOT_INITIALIZED',
  SITE_FILE_INVALID: 'CAIRN_SITE_FILE_INVALID',
  SITE_CONFIG_EDITED: 'CAIRN_SITE_CONFIG_EDITED',
  DEMO_LINK_TIMEOUT: 'CAIRN_DEMO_LINK_TIMEOUT',
  APP_NOT_FOUND: 'CAIRN_APP_NOT_FOUND',
  APP_REVISION_NOT_FOUND: 'CAIRN_APP_REVISION_NOT_FOUND',
  APP_NO_PREVIOUS_REVISION: 'CAIRN_APP_NO_PREVIOUS_REVISION',
  APP_STORE_UNAVAILABLE: 'CAIRN_APP_STORE_UNAVAILABLE',
  APP_RECORD_INVALID: 'CAIRN_APP_RECORD_INVALID',
  APP_CONFLICT: 'CAIRN_APP_CONFLICT',
  APP_BEHAVIOUR_NOT_FOUND: 'CAIRN_APP_BEHAVIOUR_NOT_FOUND',
  APP_BEHAVIOUR_INVALID: 'CAIRN_APP_BEHAVIOUR_INVALID',
  APP_MODULE_NOT_FOUND: 'CAIRN_APP_MODULE_NOT_FOUND',
  APP_MODULE_INVALID: 'CAIRN_APP_MODULE_INVALID',
  UNPLACED: 'CAIRN_UNPLACED',
  APP_START_FAILED: 'CAIRN_APP_START_FAILED',
} as const;

export type DeployCode = (typeof DeployCodes)[keyof typeof DeployCodes];

export const deployCodeEntries: readonly ErrorCodeEntry[] = [
  {
    code: DeployCodes.NATS_SERVER_NOT_FOUND,
    summary: 'No nats-server executable was found at the given path, in NATS_SERVER, on PATH, in the Go bin folder or in /usr/sbin.',
    fix: 'Install the pinned server with `npx cairn server install` (builds it with Go), download a release from https://github.com/nats-io/nats-server/releases, or set NATS_SERVER=/path/to/nats-server.',
  },
  {
    code: DeployCodes.GO_NOT_FOUND,
    summary: '`cairn server install` builds the pinned NATS tools with Go, and no `go` command runs here.',
    fix: 'Install Go (https://go.dev/dl/), or download a nats-server release binary (https://github.com/nats-io/nats-server/releases) and set NATS_SERVER.',
  },
  {
    code: DeployCodes.NATS_TOOL_INSTALL_FAILED,
    summary: '`go install` of a pinned NATS tool failed, or the binary it built does not report the pinned version.',
    fix: 'Read the Go output in the message; check that the Go module proxy is reachable (`go env GOPROXY`) and where Go installs (`go env GOBIN GOPATH`).',
  },
  {
    code: DeployCodes.NATS_CLI_NOT_FOUND,
    summary: 'The NATS CLI (`nats`, for `nats bench` in the benchmarks) was not found in NATS_CLI, on PATH or in the Go bin folder.',
    fix: 'Install it with `npx cairn server install` (it builds the NATS CLI beside nats-server), or set NATS_CLI=/path/to/nats.',
  },
  {
    code: DeployCodes.NATS_SERVER_VERSION_FAILED,
    summary: '`nats-server --version` failed or printed something that is not a version.',
    fix: 'Check that the binary is a nats-server build that runs on this machine (run it with --version).',
  },
  {
    code: DeployCodes.NATS_SERVER_START_FAILED,
    summary: 'nats-server exited before it reported "Server is ready".',
    fix: 'Read the log tail in the message (usually a config error); check the config with `nats-server -t -c <file>`.',
  },
  {
    code: DeployCodes.NATS_SERVER_START_TIMEOUT,
    summary: 'nats-server did not report "Server is ready" within the start timeout; it was killed.',
    fix: 'Read the log tail in the message; raise readyTimeoutMs if the machine is very slow.',
  },
  {
    code: DeployCodes.NATS_SERVER_PORT_IN_USE,
    summary: 'nats-server could not listen because one of its ports is already taken.',
    fix: 'Pick other ports (freePort() gives a free loopback port) or stop whatever holds the port.',
  },
  {
    code: DeployCodes.NATS_SERVER_START_ABORTED,
    summary: 'The AbortSignal passed to startNatsServer fired before the server was ready; it was killed.',
    fix: 'Nothing to fix if the abort was intended; otherwise do not abort the signal during start.',
  },
  {
    code: DeployCodes.NATS_SERVER_LOGFILE_UNSUPPORTED,
    summary: 'startNatsServer watches stderr for readiness, so a config with `logfile` cannot be started by it.',
    fix: 'Remove `logfile` from the config and pass onLog to write the log lines wherever you want.',
  },
  {
    code: DeployCodes.FREE_PORT_FAILED,
    summary: 'Could not bind a loopback socket to port 0 to find a free port.',
    fix: 'Check that the loopback interface (127.0.0.1) is up and that the process may open sockets.',
  },
  {
    code: DeployCodes.INVALID_PORT,
    summary: 'A port is not an integer in 1-65535.',
    fix: 'Use an integer port in 1-65535; freePort() gives a free loopback port.',
  },
  {
    code: DeployCodes.INVALID_CONFIG_VALUE,
    summary: 'A value cannot be written in nats-server config syntax (undefined in an array, NaN, a function, a cycle, an empty key).',
    fix: 'Pass only strings, finite numbers, booleans, arrays and plain objects; omit absent fields instead of setting them to null.',
  },
  {
    code: DeployCodes.INVALID_SITE_CONFIG,
    summary: 'A site description (cloud, edge, embedded or cluster) is invalid; the message lists every problem.',
    fix: 'Fix each listed field: site names use [A-Za-z0-9_-], ports are 1-65535, edge users are unique, URLs are nats-leaf:// or nats://.',
  },
  {
    code: DeployCodes.CLI_USAGE,
    summary: 'A cairn command was called with a missing, unknown or malformed argument or option (exit code 2).',
    fix: 'Read the message, then run the command with --help to see its arguments and options.',
  },
  {
    code: DeployCodes.CLI_INVALID_JSON,
    summary: 'The message argument of `cairn tell` / `cairn ask` is not valid JSON; the message shows the position.',
    fix: 'Quote the whole JSON for the shell, e.g. cairn ask greeter \'{"type":"greet","name":"Ada"}\'.',
  },
  {
    code: DeployCodes.CLI_MESSAGE_TYPE_MISSING,
    summary: 'The message given to `cairn tell` / `cairn ask` is not a JSON object with a non-empty string "type".',
    fix: 'Send an object tagged with its type, e.g. {"type":"greet","name":"Ada"}.',
  },
  {
    code: DeployCodes.CLI_NO_NODES,
    summary: 'No Cairn node is registered on the site (its node bucket is missing or empty, or every record is stale).',
    fix: 'Start a node with `cairn up`, or pass the right --server and --site.',
  },
  {
    code: DeployCodes.CLI_NODE_UNREACHABLE,
    summary: 'A registered node did not answer a control request (ps, tree) in time.',
    fix: 'The node may have just stopped or be overloaded; check `cairn nodes`, raise --timeout, or restart the node.',
  },
  {
    code: DeployCodes.CLI_DEAD_LETTER_NOT_FOUND,
    summary: '`cairn dlq replay` or `cairn dlq purge` was given a sequence that is not in the dead-letter stream.',
    fix: 'List the dead letters with `cairn dlq ls` and use a SEQ from it.',
  },
  {
    code: DeployCodes.CLI_UP_FILE_INVALID,
    summary: 'The <data-dir>/cairn-up.json written by `cairn up` cannot be read as {url, site, pid}.',
    fix: 'Delete the file (it is rewritten by the next `cairn up`) or pass --server explicitly.',
  },
  {
    code: DeployCodes.UP_ALREADY_RUNNING,
    summary: '`cairn up` found a live `cairn up` process that uses the same data directory.',
    fix: 'Stop the other one (Ctrl-C in its terminal, or kill -INT <pid>), or pass another --data-dir.',
  },
  {
    code: DeployCodes.EXAMPLE_NOT_FOUND,
    summary: '`cairn up --example <name>` names an example that has no examples/<name>/app.ts.',
    fix: 'Use one of the listed examples, or --example none to start without an application.',
  },
  {
    code: DeployCodes.EXAMPLE_INVALID,
    summary: 'An example module does not export `start(system)` returning a stop function.',
    fix: 'Export `async function start(system: ActorSystem): Promise<() => Promise<void>>` from examples/<name>/app.ts.',
  },
  {
    code: DeployCodes.SITES_FILE_NOT_FOUND,
    summary: 'The sites file given to `cairn site init -f` does not exist.',
    fix: 'Check the path; examples/multi-site/sites.yaml is a starting point.',
  },
  {
    code: DeployCodes.SITES_FILE_INVALID,
    summary: 'A sites file (kind: Sites) is not valid YAML or breaks the schema; the message lists every problem with its path and line.',
    fix: 'Fix each listed field: names use [A-Za-z0-9_-] and are unique, ports are 1-65535 and distinct per host, unknown fields are removed.',
  },
  {
    code: DeployCodes.SITE_FILES_EXIST,
    summary: '`cairn site init` would overwrite site files (nats-server.conf, site.json) that already exist; it generates new leaf passwords, so it refuses.',
    fix: 'Pass --force to rewrite them (every site must then be restarted with the new files), or pass another --out directory.',
  },
  {
    code: DeployCodes.SITE_NOT_INITIALIZED,
    summary: '`cairn site up <name>` found no <dir>/<name>/site.json.',
    fix: 'Run `cairn site init -f sites.yaml` first, pass the --dir it wrote to, and use a site name it listed.',
  },
  {
    code: DeployCodes.SITE_FILE_INVALID,
    summary: 'A site.json written by `cairn site init` cannot be read (not JSON, or fields missing or of the wrong type).',
    fix: 'Regenerate it with `cairn site init -f sites.yaml --force`.',
  },
  {
    code: DeployCodes.SITE_CONFIG_EDITED,
    summary: '`cairn site up` found a nats-server.conf that differs from the config recorded in site.json (it was edited by hand).',
    fix: 'Put the change in the sites file and run `cairn site init --force`, or run nats-server -c <file> yourself.',
  },
  {
    code: DeployCodes.DEMO_LINK_TIMEOUT,
    summary: '`cairn demo` waited too long for a leaf link between the cloud and an edge, or for messages to catch up.',
    fix: 'Check the nats-server logs in the demo directory (printed at the start); a slow machine may need a longer --duration.',
  },
  {
    code: DeployCodes.CLI_ACTOR_NOT_RUNNING,
    summary: '`cairn logs` found no live node of the site running that actor.',
    fix: 'Check the actor id and the site with `cairn ps`; pass --site for an actor of another site.',
  },
  {
    code: DeployCodes.APP_NOT_FOUND,
    summary: '`cairn get`, `delete` or `rollback` named an application that is not in the cloud bucket cairn_apps (never applied, or deleted).',
    fix: 'List the applications with `cairn get`; apply it with `cairn apply -f app.yaml`.',
  },
  {
    code: DeployCodes.APP_REVISION_NOT_FOUND,
    summary: '`cairn rollback --to-revision n` named a revision that this application does not have (or that the bucket no longer keeps: it holds the last 20).',
    fix: 'Pick one of the revisions listed in the message, or shown by `cairn get <app>`.',
  },
  {
    code: DeployCodes.APP_NO_PREVIOUS_REVISION,
    summary: '`cairn rollback` without --to-revision needs a revision before the current one, and the application has only one.',
    fix: 'Apply a corrected manifest with `cairn apply -f`, or delete the application with `cairn delete`.',
  },
  {
    code: DeployCodes.APP_STORE_UNAVAILABLE,
    summary: 'The desired-state bucket cairn_apps could not be read or written (the cloud site is unreachable, or has no JetStream).',
    fix: 'Point --server (and --cloud-domain when going through an edge) at the cloud site and check that it runs; writes need the cloud to be reachable.',
  },
  {
    code: DeployCodes.APP_RECORD_INVALID,
    summary: 'A value in the cairn_apps bucket is not an application record this version of Cairn can read (written by hand or by a newer version).',
    fix: 'Re-apply the application with `cairn apply -f`, or upgrade Cairn to the version that wrote it.',
  },
  {
    code: DeployCodes.APP_CONFLICT,
    summary: 'Another apply, delete or rollback changed the same application while this one was writing (optimistic concurrency on the KV revision).',
    fix: 'Check the current state with `cairn get <app>`, then run the command again.',
  },
  {
    code: DeployCodes.APP_BEHAVIOUR_NOT_FOUND,
    summary: "An application actor's behaviour.module could not be imported on this node (path resolved against the node's application directory).",
    fix: 'Check behaviour.module in the manifest and that the file exists on every site that runs the actor (the app controller resolves relative paths against its appDir).',
  },
  {
    code: DeployCodes.APP_BEHAVIOUR_INVALID,
    summary: 'The export named by behaviour.export is missing, or is neither a defineActor result nor a function (config) => defineActor result.',
    fix: 'Export the actor under that name (behaviour.export, default "default"); worker mode needs the definition itself, not a factory.',
  },
  {
    code: DeployCodes.APP_MODULE_NOT_FOUND,
    summary: 'An actor names a module (`module:`) that is not a built-in one, or whose path or package cannot be imported where the manifest is applied or run.',
    fix: 'Use a built-in name (cairn/<name>; see docs/modules.md), or check the path (relative to the manifest) or that the package is installed on every node that runs the app.',
  },
  {
    code: DeployCodes.APP_MODULE_INVALID,
    summary: "An actor's `module:` imports a file or package that exports no defineModule result.",
    fix: "Export the module (defineModule from 'cairn/module') from that file, as default or under any name.",
  },
  {
    code: DeployCodes.UNPLACED,
    summary: "An application instance fits no node of its site: every node was refused (dead, a nodeSelector label missing, one-per-node taken, or not enough CPU or memory). The reasons name each node.",
    fix: 'Start a node with the missing label (`cairn site join <site> --label k=v`), free capacity, or relax placement.nodeSelector / resources / replicas; then apply again.',
  },
  {
    code: DeployCodes.APP_START_FAILED,
    summary: "An application's supervisor tree could not be started on this site: one of its actors failed to start (onStart threw, its guest did not start). Nothing of the app runs there.",
    fix: 'Read the message (`cairn get <app>`) and the node log; fix the actor or its config and apply again.',
  },
];
