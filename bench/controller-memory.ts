// Memory benchmark (not CI): the controller over TOKENS settled tokens in minutes, without
// kube-apiserver. A synthetic API (bench/controller/settled-api.ts) lists the objects
// bench:controller:scale would have created and a controller settled — ServiceUsers, ServiceTokens
// with status, delivery Secrets and hash records that agree, built with the domain's functions —
// and refuses every write. The real controller (informers, reconcilers, queues, as
// src/controller/main.ts wires them) runs against it in a process of its own, compiled and with
// the heap flags of its 512Mi limit (bench/controller/run-controller.ts, as bench:controller:scale
// runs it), and reports its time to idle, RSS, heap and writes (must be 0).
// `npm run bench:controller:memory [-- --tokens 100000 --per-user 100 --runs 1 --snapshot DIR --malloc deployed|default|both]`
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { createCertificateAuthority } from "../src/tls/pki.ts";
import { OPERATOR_NAMESPACE, say } from "./controller/cluster.ts";
import {
  printControllerRun,
  runControllerProcess,
  writesOf,
} from "./controller/controller-process.ts";
import { startSettledApi } from "./controller/settled-api.ts";
import type { ControllerRunReport } from "./controller/run-controller.ts";

const { values } = parseArgs({
  options: {
    tokens: { type: "string", default: "100000" },
    "per-user": { type: "string", default: "100" },
    runs: { type: "string", default: "1" },
    snapshot: { type: "string" },
    // "default": without the manifest's MALLOC_* environment; "both": alternately, from run 1
    // as deployed, to compare in one run.
    malloc: { type: "string", default: "deployed" },
  },
});
if (!["deployed", "default", "both"].includes(values.malloc)) {
  throw new Error("--malloc must be deployed, default or both");
}
const set = {
  tokens: Number(values.tokens),
  perUser: Number(values["per-user"]),
  // The names bench:controller:scale uses, so the two benches hold the same strings.
  namespace: "scale",
  operatorNamespace: OPERATOR_NAMESPACE,
  startedAt: Date.now() - 3_600_000,
};

const repo = new URL("..", import.meta.url).pathname;
// The image's build (Dockerfile: `npm run build` → dist/), so the controller runs compiled JS.
execFileSync("npm", ["run", "build", "--silent"], { cwd: repo, stdio: "inherit" });

const ca = await createCertificateAuthority("svctokens-bench-api");
const api = await startSettledApi(set, ca);
const dir = mkdtempSync(join(tmpdir(), "svctokens-settled-api-"));
const kubeconfig = join(dir, "kubeconfig");
writeFileSync(kubeconfig, kubeconfigText(api.port, ca.certPem));
say(`uptime: ${execFileSync("uptime").toString().trim()}`);
say(
  `synthetic API: ${set.tokens} settled tokens (${Math.ceil(set.tokens / set.perUser)} ServiceUsers, ${set.perUser} tokens each), writes refused`,
);
try {
  const runs: { report: ControllerRunReport; mallocDefaults: boolean }[] = [];
  for (let run = 1; run <= Number(values.runs); run++) {
    const mallocDefaults =
      values.malloc === "default" || (values.malloc === "both" && run % 2 === 0);
    const report = await runControllerProcess({
      kubeconfig,
      name: `memory-${run}`,
      dist: join(repo, "dist"),
      snapshotDir: values.snapshot,
      mallocDefaults,
    });
    const malloc = mallocDefaults ? "glibc's malloc defaults" : "malloc as deployed";
    printControllerRun(`controller ${run} (${malloc})`, report);
    runs.push({ report, mallocDefaults });
  }
  const { listPages, watches, writes, reads } = api.counts;
  say(`synthetic API saw: list pages ${sum(listPages)}${byKey(listPages)}`);
  say(`  watches ${sum(watches)}${byKey(watches)}`);
  say(`  writes refused ${sum(writes)}${byKey(writes)}; single reads ${sum(reads)}${byKey(reads)}`);
  // The summary reads the last run as deployed (with --malloc default, the last run).
  const last = (runs.filter((run) => !run.mallocDefaults).at(-1) ?? runs.at(-1))?.report;
  if (last) {
    say(
      `controller (synthetic API): rss at ${set.tokens} tokens ${last.rssMb.toFixed(0)} MB (${last.rssReducedMb.toFixed(0)} MB after a memory-reducing GC), heap ${last.heapUsedAfterGcMb.toFixed(0)} MB; idle after ${(last.idleMs / 1000).toFixed(1)} s with ${writesOf(last)} writes`,
    );
  }
} finally {
  await api.close();
  rmSync(dir, { recursive: true, force: true });
}

function byKey(map: Map<string, number>): string {
  return [...map].map(([key, n]) => `; ${key} ${n}`).join("");
}

function sum(map: Map<string, number>): number {
  return [...map.values()].reduce((total, n) => total + n, 0);
}

/** A kubeconfig for the synthetic API: its CA, and a token it does not check. */
function kubeconfigText(port: number, caPem: string): string {
  const caData = Buffer.from(caPem).toString("base64");
  return [
    "apiVersion: v1",
    "kind: Config",
    "clusters:",
    "- name: settled",
    "  cluster:",
    `    server: https://127.0.0.1:${port}`,
    `    certificate-authority-data: ${caData}`,
    "users:",
    "- name: bench",
    "  user:",
    "    token: bench",
    "contexts:",
    "- name: settled",
    "  context: {cluster: settled, user: bench}",
    "current-context: settled",
    "",
  ].join("\n");
}
