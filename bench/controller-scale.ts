// Scale benchmark (not CI): COUNT tokens' worth of ServiceUsers, ServiceTokens (with the status
// the controller writes), delivery Secrets and hash records created directly through the API on
// a fresh local control plane; then a controller in its own process settles them (its RSS), and
// a second one restarts over them: the time until idle, its RSS, and its writes (must be 0).
// Both run as the container runs the controller: the JS `npm run build` compiles, with the heap
// Node gives a process under the 512Mi limit of deploy/manifests/controller.yaml.
// `npm run bench:controller:scale [-- COUNT [TOKENS_PER_USER]] [--hold] [--snapshot DIR]`
// (default 100000, 100). `--snapshot DIR`: each controller writes a heap snapshot there once idle.
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import {
  SERVICE_TOKENS,
  SERVICE_USERS,
  ServiceTokenPhase,
  parseServiceToken,
  parseServiceUser,
  type ServiceUser,
} from "../src/api/index.ts";
import { TOKEN_FINALIZER } from "../src/controller/context.ts";
import { desiredOwnerReferences } from "../src/controller/service-token/metadata.ts";
import {
  desiredDeliverySecret,
  desiredTokenStatus,
  phaseVerdict,
} from "../src/controller/service-token/desired.ts";
import { desiredHashRecord } from "../src/domain/hash-record.ts";
import { serviceUserUsername } from "../src/domain/identity.ts";
import { CONTROLLER_CLIENT } from "../src/k8s/client-identity.ts";
import type { KubeObject } from "../src/k8s/object.ts";
import { SECRETS, resourcePath, withQuery } from "../src/k8s/paths.ts";
import { PATCH } from "../src/k8s/rest.ts";
import { truncateToSecond } from "../src/k8s/time.ts";
import { generateToken, hashToken, tokenIdFromHash } from "../src/tokens/index.ts";
import {
  OPERATOR_NAMESPACE,
  createServiceUser,
  inParallel,
  say,
  startBenchCluster,
} from "./controller/cluster.ts";
import type { ControllerRunReport } from "./controller/run-controller.ts";
import {
  printControllerRun,
  runControllerProcess,
  writesOf,
} from "./controller/controller-process.ts";

// `--hold`: after creating the objects, print the admin kubeconfig and keep the control plane
// running until SIGINT instead of running the controllers (for repeated runs and heap snapshots
// of bench/controller/run-controller.ts against the same objects).
const hold = process.argv.includes("--hold");
const snapshotAt = process.argv.indexOf("--snapshot");
const snapshotDir = snapshotAt > 0 ? process.argv[snapshotAt + 1] : undefined;
const [countArg, perUserArg] = process.argv
  .slice(2)
  .filter((arg) => !arg.startsWith("--") && arg !== snapshotDir);
const count = Number(countArg ?? 100_000);
const perUser = Number(perUserArg ?? 100);
const NAMESPACE = "scale";
const WRITERS = 32;
const manager = { fieldManager: CONTROLLER_CLIENT.fieldManager };

const repo = new URL("..", import.meta.url).pathname;
// The image's build (Dockerfile: `npm run build` → dist/), so the controller runs compiled JS.
execFileSync("npm", ["run", "build", "--silent"], { cwd: repo, stdio: "inherit" });
const dist = join(repo, "dist");

const cluster = await startBenchCluster();
const { rest, kubectl } = cluster;
try {
  kubectl("create", "namespace", NAMESPACE);
  const userCount = Math.ceil(count / perUser);
  const users: ServiceUser[] = [];
  await inParallel(userCount, WRITERS, async (u) => {
    await createServiceUser(rest, `scale-${u}`);
    users[u] = parseServiceUser(
      await rest.request<KubeObject>("GET", resourcePath(SERVICE_USERS, { name: `scale-${u}` })),
    );
  });

  const started = performance.now();
  await inParallel(count, WRITERS, async (i) => {
    await createSettledToken(i, users[Math.floor(i / perUser)] as ServiceUser);
    if ((i + 1) % 10_000 === 0) say(`  ${i + 1} tokens written`);
  });
  const createMs = performance.now() - started;
  say(`tokens: ${count} (${userCount} ServiceUsers, ${perUser} tokens each)`);
  say(
    `created directly (${WRITERS} concurrent writers, 4 writes per token): ${(createMs / 1000).toFixed(0)} s (${((4 * count) / (createMs / 1000)).toFixed(0)} writes/s)`,
  );

  if (hold) await holdUntilInterrupted();
  const first = await runController("settle");
  printControllerRun("first controller (settles ServiceUser status)", first);
  const restart = await runController("restart");
  printControllerRun("restart over settled objects", restart);
  const writes = writesOf(restart);
  say(
    `controller: rss at ${count} tokens ${restart.rssMb.toFixed(0)} MB (${restart.rssAfterGcMb.toFixed(0)} MB after GC); restart idle after ${(restart.idleMs / 1000).toFixed(1)} s with ${writes} writes`,
  );
  rest.close();
} finally {
  await cluster.controlPlane.stop();
}

/** Keeps the control plane up (its kubeconfig printed) until SIGINT, then stops it. */
async function holdUntilInterrupted(): Promise<never> {
  say(`holding; admin kubeconfig: ${cluster.controlPlane.info.adminKubeconfig} (Ctrl-C stops)`);
  await new Promise((resolve) => process.once("SIGINT", resolve));
  await cluster.controlPlane.stop();
  process.exit(0);
}

/** One token as the controller leaves it: metadata, status, delivery Secret, hash record. */
async function createSettledToken(i: number, user: ServiceUser): Promise<void> {
  const created = parseServiceToken(
    await rest.request<KubeObject>("POST", resourcePath(SERVICE_TOKENS, { namespace: NAMESPACE }), {
      apiVersion: "svctokens.dev/v1alpha1",
      kind: "ServiceToken",
      metadata: {
        name: `t-${i}`,
        finalizers: [TOKEN_FINALIZER],
        ownerReferences: desiredOwnerReferences([], user),
      },
      spec: { serviceUser: user.metadata.name },
    }),
  );
  const now = new Date(truncateToSecond(Date.now()));
  const value = generateToken();
  const hash = hashToken(value);
  const tokenId = tokenIdFromHash(hash);
  const username = serviceUserUsername(user.metadata.name);
  const uid = created.metadata.uid ?? "";
  const status = desiredTokenStatus({
    token: created,
    phase: ServiceTokenPhase.Active,
    tokenId,
    username,
    secretName: `t-${i}-token`,
    createdAt: now,
    expiresAt: undefined,
    serviceUserUid: user.metadata.uid,
    verdict: phaseVerdict(ServiceTokenPhase.Active),
    now,
  });
  const statusPath = resourcePath(SERVICE_TOKENS, {
    namespace: NAMESPACE,
    name: `t-${i}`,
    subresource: "status",
  });
  await rest.request("PATCH", withQuery(statusPath, manager), { status }, PATCH.merge);
  const delivery = desiredDeliverySecret(created, {
    value,
    username,
    tokenId,
    expiresAt: undefined,
  });
  const record = desiredHashRecord({
    operatorNamespace: OPERATOR_NAMESPACE,
    token: { namespace: NAMESPACE, name: `t-${i}`, uid },
    serviceUserUid: user.metadata.uid ?? "",
    hash,
    createdAt: now,
    expiresAt: undefined,
  });
  for (const secret of [delivery, record]) {
    const path = resourcePath(SECRETS, { namespace: secret.metadata?.namespace });
    await rest.request("POST", withQuery(path, manager), secret);
  }
}

function runController(name: string): Promise<ControllerRunReport> {
  const kubeconfig = cluster.controlPlane.info.adminKubeconfig;
  return runControllerProcess({ kubeconfig, name, dist, snapshotDir });
}
