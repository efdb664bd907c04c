// Heap bytes per token that the controller's caches hold: whole objects, trimmed ones, and what
// the caches keep (trimmed, then shared: src/controller/cache-sharing.ts), from objects shaped
// as kube-apiserver returns them (managedFields included), and "packed": Secrets as the
// controller's informers store them (src/k8s/packed-object.ts). No cluster.
// `node --expose-gc bench/controller/cache-bytes.ts [COUNT]`.
import { trimForCache, trimSecretForCache } from "../../src/controller/cache-trim.ts";
import { cacheTransforms } from "../../src/controller/cache-sharing.ts";
import type { KubeObject } from "../../src/k8s/object.ts";
import { ObjectPacker } from "../../src/k8s/packed-object.ts";
import { say } from "./cluster.ts";

const count = Number(process.argv[2] ?? 20_000);
const gc = (globalThis as { gc?: () => void }).gc ?? ((): void => undefined);
const entry = (
  manager: string,
  operation: string,
  fields: object,
  subresource?: string,
): object => ({
  manager,
  operation,
  apiVersion: "v1",
  time: "2026-12-04T22:00:00Z",
  fieldsType: "FieldsV1",
  fieldsV1: fields,
  ...(subresource ? { subresource } : {}),
});
// Tokens created a second apart (timestamps differ, as in a cluster whose tokens were made over
// time), 100 per ServiceUser.
const at = (i: number, days = 0): string =>
  new Date(Date.UTC(2026, 11, 4) + i * 1000 + days * 86_400_000).toISOString().replace(".000", "");
const userOf = (i: number): { name: string; uid: string } => ({
  name: `scale-${Math.floor(i / 100)}`,
  uid: `7a2d4b1c-0000-4000-8000-${String(Math.floor(i / 100)).padStart(12, "0")}`,
});
const meta = (i: number, kind: string, extra: object): KubeObject["metadata"] => ({
  name: `${kind}-${i}`,
  namespace: "scale",
  uid: `6f1c2a3e-0000-4000-8000-${String(i).padStart(12, "0")}`,
  resourceVersion: String(100_000 + i),
  creationTimestamp: at(i),
  ...extra,
});

function objectsOf(i: number): KubeObject[] {
  const owner = {
    apiVersion: "svctokens.dev/v1alpha1",
    kind: "ServiceToken",
    name: `t-${i}`,
    uid: "x",
    controller: true,
    blockOwnerDeletion: true,
  };
  const labels = {
    "app.kubernetes.io/managed-by": "svctokens",
    "svctokens.dev/token-name": `t-${i}`,
  };
  const secretFields = {
    "f:data": { ".": {}, "f:token": {}, "f:tokenId": {}, "f:username": {} },
    "f:metadata": {
      "f:labels": {
        ".": {},
        "f:app.kubernetes.io/managed-by": {},
        "f:svctokens.dev/token-name": {},
      },
      "f:ownerReferences": { ".": {}, 'k:{"uid":"x"}': {} },
    },
    "f:type": {},
  };
  const token: KubeObject = {
    apiVersion: "svctokens.dev/v1alpha1",
    kind: "ServiceToken",
    metadata: meta(i, "t", {
      generation: 1,
      finalizers: ["svctokens.dev/hash-record"],
      ownerReferences: [
        { apiVersion: "svctokens.dev/v1alpha1", kind: "ServiceUser", ...userOf(i) },
      ],
      managedFields: [
        entry("kubectl-client-side-apply", "Update", {
          "f:spec": {
            ".": {},
            "f:serviceUser": {},
            "f:expiresInDays": {},
            "f:revoked": {},
            "f:description": {},
          },
        }),
        entry("svctokens-controller", "Update", {
          "f:metadata": {
            "f:finalizers": { ".": {}, 'v:"svctokens.dev/hash-record"': {} },
            "f:ownerReferences": { ".": {}, [`k:{"uid":"${userOf(i).uid}"}`]: {} },
          },
        }),
        entry(
          "svctokens-controller",
          "Update",
          {
            "f:status": {
              ".": {},
              "f:conditions": {},
              "f:createdAt": {},
              "f:expiresAt": {},
              "f:expiresIn": {},
              "f:observedGeneration": {},
              "f:phase": {},
              "f:secretName": {},
              "f:serviceUserUid": {},
              "f:tokenId": {},
              "f:username": {},
            },
          },
          "status",
        ),
      ],
    }),
    spec: {
      serviceUser: userOf(i).name,
      expiresInDays: 30,
      revoked: false,
      description: "ci deploys",
    },
    status: {
      phase: "Active",
      tokenId: "0123456789abcdef",
      username: `${userOf(i).name}@service`,
      secretName: `t-${i}-token`,
      createdAt: at(i),
      expiresAt: at(i, 30),
      serviceUserUid: userOf(i).uid,
      expiresIn: "30d",
      conditions: [
        {
          type: "Ready",
          status: "True",
          reason: "Active",
          message: "The token is active.",
          lastTransitionTime: at(i),
          observedGeneration: 1,
        },
      ],
      observedGeneration: 1,
    },
  };
  const delivery: KubeObject = {
    apiVersion: "v1",
    kind: "Secret",
    metadata: meta(i, "d", {
      labels,
      ownerReferences: [owner],
      managedFields: [entry("svctokens-controller", "Update", secretFields)],
    }),
    type: "svctokens.dev/service-token",
    data: {
      token: Buffer.from(`svct_${"a".repeat(49)}`).toString("base64"),
      username: "c2NhbGUtMUBzZXJ2aWNl",
      tokenId: "MDEyMzQ1Njc4OWFiY2RlZg==",
    },
  };
  const record: KubeObject = {
    apiVersion: "v1",
    kind: "Secret",
    metadata: meta(i, "r", {
      labels: {
        ...labels,
        "svctokens.dev/token-namespace": "scale",
        "svctokens.dev/token-uid": "x",
        "svctokens.dev/token-id": "0123456789abcdef",
        "svctokens.dev/service-user-uid": userOf(i).uid,
      },
      annotations: { "svctokens.dev/created-at": new Date(Date.parse(at(i))).toISOString() },
      managedFields: [entry("svctokens-controller", "Update", secretFields)],
    }),
    type: "svctokens.dev/token-hash",
    data: { tokenHash: Buffer.from(`sha256:${"0".repeat(64)}`).toString("base64") },
  };
  return [token, delivery, record];
}

const CACHES = ["ServiceToken", "delivery Secret", "hash record"] as const;
const trims = [trimForCache, trimSecretForCache, trimSecretForCache];
type Keep = "whole" | "trimmed" | "kept" | "packed";

/** Heap bytes per token that one cache (index into CACHES) holds. */
function heapPerToken(cache: number, keep: Keep): number {
  const kept = cacheTransforms();
  const packer = new ObjectPacker(["apiVersion", "kind", "type", "app.kubernetes.io/managed-by"]);
  const keptOf = [kept.token, kept.secret, kept.secret][cache] ?? kept.other;
  const transform = {
    whole: (object: KubeObject): unknown => object,
    trimmed: trims[cache] ?? trimForCache,
    kept: keptOf,
    // Only Secrets are stored packed (src/controller/caches.ts).
    packed: (object: KubeObject): unknown =>
      cache === 0 ? keptOf(object) : packer.pack(keptOf(object)),
  }[keep];
  gc();
  const before = process.memoryUsage().heapUsed;
  const store = new Map<string, unknown>();
  for (let i = 0; i < count; i++) {
    // Parsed from JSON, as the informer gets them: no shared strings or shapes with the template.
    const object = (JSON.parse(JSON.stringify(objectsOf(i))) as KubeObject[])[cache];
    if (object === undefined) throw new Error("unreachable");
    store.set(`${cache}/${i}`, transform(object));
  }
  gc();
  const bytes = (process.memoryUsage().heapUsed - before) / count;
  if (store.size !== count) throw new Error("unreachable");
  return bytes;
}

const KEEPS: Keep[] = ["whole", "trimmed", "kept", "packed"];
const cell = (bytes: number): string =>
  `${`${bytes.toFixed(0)} B`.padStart(7)} ${((bytes * 100_000) / 1024 / 1024).toFixed(0).padStart(4)}`;
say(`cached heap bytes per token, ${count} tokens (and MB at 100,000 tokens):`);
say(`  ${"cache".padEnd(16)}${KEEPS.map((keep) => keep.padStart(13)).join("")}`);
const totals = [0, 0, 0, 0];
CACHES.forEach((name, cache) => {
  const bytes = KEEPS.map((keep) => heapPerToken(cache, keep));
  bytes.forEach((b, k) => (totals[k] = (totals[k] ?? 0) + b));
  say(`  ${name.padEnd(16)}${bytes.map((b) => ` ${cell(b)}`).join("")}`);
});
say(`  ${"all".padEnd(16)}${totals.map((b) => ` ${cell(b)}`).join("")}`);
