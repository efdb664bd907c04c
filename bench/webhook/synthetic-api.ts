// A KubeRest that answers the webhook's informers with synthetic-cluster.ts's objects, as
// kube-apiserver lists them (in pages, each object freshly parsed), and watches that stay quiet.
import { PassThrough } from "node:stream";
import type { KubeRest } from "../../src/k8s/rest.ts";
import {
  listedHashRecord,
  listedServiceToken,
  listedServiceUser,
  userCount,
} from "./synthetic-cluster.ts";

/** What the informers of `tokens` tokens list: one API listing per resource, in pages. */
export function syntheticApi(tokens: number): KubeRest {
  const listing = (path: string): { count: number; item: (i: number) => unknown } => {
    if (path.includes("/secrets")) return { count: tokens, item: listedHashRecord };
    if (path.includes("/servicetokens")) return { count: tokens, item: listedServiceToken };
    return { count: userCount(tokens), item: listedServiceUser };
  };
  const fake = {
    request(method: string, path: string): Promise<unknown> {
      const query = new URL(path, "https://api").searchParams;
      const { count, item } = listing(path);
      const from = Number(query.get("continue") ?? 0);
      const limit = Number(query.get("limit") ?? count) || count;
      const to = Math.min(count, from + limit);
      const items: unknown[] = [];
      // Through JSON, as a listing arrives: every object is freshly parsed, strings included.
      for (let i = from; i < to; i++) items.push(JSON.parse(JSON.stringify(item(i))));
      const metadata = { resourceVersion: "1", ...(to < count ? { continue: String(to) } : {}) };
      return Promise.resolve({ kind: "List", metadata, items });
    },
    stream(_path: string, signal: AbortSignal): Promise<unknown> {
      // A watch that stays open and quiet until the informer stops.
      const quiet = new PassThrough();
      signal.addEventListener("abort", () => quiet.end(), { once: true });
      return Promise.resolve(quiet);
    },
  };
  return fake as unknown as KubeRest;
}
