// Creating many objects at once, and counting what the API server did.
import type { Api } from "./resources.ts";
import { samplesOf } from "./prometheus.ts";
import { eventually } from "./cluster.ts";

/** Runs `task` for 0..count-1 with at most `parallel` in flight. */
export async function inParallel(
  count: number,
  parallel: number,
  task: (i: number) => Promise<unknown>,
): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) await task(next++);
  };
  await Promise.all(Array.from({ length: Math.min(parallel, count) }, worker));
}

/** Creates `count` tokens named `<prefix>-<i>` for `user` in `namespace`. */
export async function createTokens(
  api: Api,
  namespace: string,
  user: string,
  prefix: string,
  count: number,
): Promise<string[]> {
  const names = Array.from({ length: count }, (_, i) => `${prefix}-${i}`);
  await inParallel(count, 16, (i) =>
    api.createToken(namespace, names[i] ?? "", { serviceUser: user }),
  );
  return names;
}

/** Counts tokens in `namespace` whose status phase is Active. */
export async function activeTokenCount(api: Api, namespace: string): Promise<number> {
  const list = await api.rest.request<{ items: { status?: { phase?: string } }[] }>(
    "GET",
    `/apis/svctokens.dev/v1alpha1/namespaces/${namespace}/servicetokens`,
  );
  return list.items.filter((token) => token.status?.phase === "Active").length;
}

const WRITE_VERBS = new Set(["POST", "PUT", "PATCH", "DELETE", "APPLY", "CREATE", "UPDATE"]);

/** kube-apiserver's own count of write requests (apiserver_request_total) on these resources. */
export async function apiserverWrites(admin: Api, resources: readonly string[]): Promise<number> {
  const text = await admin.rest.requestText("GET", "/metrics");
  return samplesOf(text, "apiserver_request_total")
    .filter(
      ({ labels }) =>
        WRITE_VERBS.has(labels.verb ?? "") && resources.includes(labels.resource ?? ""),
    )
    .reduce((total, { value }) => total + value, 0);
}

/**
 * apiserverWrites once nobody else is writing: no namespace is being deleted (kube-controller-
 * manager's namespace and garbage collectors delete an earlier test file's objects for a while
 * after it ends; CI once counted two such deletes as a restart's writes) and two reads half a
 * second apart agree. Read it before an action whose writes the test counts.
 */
export async function settledApiserverWrites(
  admin: Api,
  resources: readonly string[],
): Promise<number> {
  await eventually(
    "no namespace being deleted",
    async () => {
      const list = await admin.rest.request<{
        items: { metadata: { deletionTimestamp?: string } }[];
      }>("GET", "/api/v1/namespaces");
      return list.items.some((ns) => ns.metadata.deletionTimestamp) ? undefined : true;
    },
    120_000,
  );
  let last = await apiserverWrites(admin, resources);
  return eventually(
    "kube-apiserver's write counter to hold still for half a second",
    async () => {
      await new Promise((resolve) => setTimeout(resolve, 500));
      const now = await apiserverWrites(admin, resources);
      if (now === last) return now;
      last = now;
      return undefined;
    },
    60_000,
  );
}
