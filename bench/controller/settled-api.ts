// A synthetic API server for the controller's memory benchmark: HTTPS on loopback, it answers
// the controller's informers with settled-objects.ts's objects (lists in pages of the size asked,
// each page built and serialized on demand, as kube-apiserver pages a list) and with watches that
// stay open and quiet until their timeout. It never changes anything: every write (POST, PUT,
// PATCH, DELETE) is counted and refused with 403, so a controller that finds work shows it.
import { createServer, type Server } from "node:https";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { requestResource } from "../../src/k8s/request-resource.ts";
import type { CertificateAuthority } from "../../src/tls/pki.ts";
import {
  settledDeliverySecret,
  settledHashRecord,
  settledServiceToken,
  settledServiceUser,
  userCountOf,
  type SettledSet,
} from "./settled-objects.ts";

/** What the server saw. */
export interface SettledApiCounts {
  /** Refused writes, keyed `VERB resource`. */
  writes: Map<string, number>;
  /** GETs of single objects (the controller reading past its caches), keyed by resource. */
  reads: Map<string, number>;
  /** List pages and watches served, keyed by resource. */
  listPages: Map<string, number>;
  watches: Map<string, number>;
}

/** A running synthetic API. */
export interface SettledApi {
  port: number;
  counts: SettledApiCounts;
  close(): Promise<void>;
}

/** The resourceVersion of every list: nothing ever changes. */
const LIST_VERSION = "9000000";

type Listing = { count: number; item: (i: number) => unknown };

/** Which objects a collection path lists (by resource; the selectors are the controller's). */
function listingOf(set: SettledSet, path: string): Listing {
  const resource = requestResource(path);
  const none: Listing = { count: 0, item: () => ({}) };
  if (resource === "serviceusers") {
    return { count: userCountOf(set), item: (u) => settledServiceUser(set, u) };
  }
  if (resource === "servicetokens") {
    return { count: set.tokens, item: (i) => settledServiceToken(set, i) };
  }
  if (resource === "secrets") {
    const records = path.includes("token-hash");
    return {
      count: set.tokens,
      item: (i) => (records ? settledHashRecord(set, i) : settledDeliverySecret(set, i)),
    };
  }
  if (resource === "namespaces") {
    const names = ["default", "kube-system", "kube-public", set.operatorNamespace, set.namespace];
    return { count: names.length, item: (i) => namespace(names[i] ?? "", i) };
  }
  return none;
}

function namespace(name: string, i: number): unknown {
  return {
    apiVersion: "v1",
    kind: "Namespace",
    metadata: {
      name,
      uid: `0e000000-0000-4000-8000-${String(i).padStart(12, "0")}`,
      resourceVersion: String(10 + i),
      labels: { "kubernetes.io/metadata.name": name },
    },
    spec: { finalizers: ["kubernetes"] },
    status: { phase: "Active" },
  };
}

/** Is `path` a collection (a list or watch) rather than one object? */
function isCollection(path: string): boolean {
  const resource = requestResource(path);
  const parts = path.split("?")[0]?.split("/").filter(Boolean) ?? [];
  return parts.at(-1) === resource;
}

function count(map: Map<string, number>, key: string): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}

function status(res: ServerResponse, code: number, reason: string, message: string): void {
  res.writeHead(code, { "Content-Type": "application/json" });
  res.end(
    JSON.stringify({ kind: "Status", apiVersion: "v1", status: "Failure", reason, message, code }),
  );
}

/** Starts the synthetic API on a free loopback port, serving with a certificate of `ca`. */
export async function startSettledApi(
  set: SettledSet,
  ca: CertificateAuthority,
): Promise<SettledApi> {
  const counts: SettledApiCounts = {
    writes: new Map(),
    reads: new Map(),
    listPages: new Map(),
    watches: new Map(),
  };
  const pair = await ca.issue({ usage: "server", commonName: "api", ipAddresses: ["127.0.0.1"] });
  const open = new Set<ServerResponse>();
  const answer = (req: IncomingMessage, res: ServerResponse): void => {
    const path = req.url ?? "/";
    const method = req.method ?? "GET";
    req.resume();
    if (method !== "GET") {
      count(counts.writes, `${method} ${requestResource(path)}`);
      status(res, 403, "Forbidden", "the synthetic API refuses every write");
      return;
    }
    if (!isCollection(path)) {
      count(counts.reads, requestResource(path));
      status(res, 404, "NotFound", "not found");
      return;
    }
    const query = new URL(path, "https://api").searchParams;
    if (query.get("watch") === "true") {
      // Open and quiet; ended at its timeout, as kube-apiserver ends a watch.
      count(counts.watches, requestResource(path));
      res.writeHead(200, { "Content-Type": "application/json" });
      res.flushHeaders();
      open.add(res);
      const timer = setTimeout(() => res.end(), Number(query.get("timeoutSeconds") ?? 290) * 1000);
      res.once("close", () => {
        clearTimeout(timer);
        open.delete(res);
      });
      return;
    }
    count(counts.listPages, requestResource(path));
    const { count: total, item } = listingOf(set, path);
    const from = Number(query.get("continue") ?? 0);
    const limit = Number(query.get("limit") ?? 0) || total;
    const to = Math.min(total, from + limit);
    const items: unknown[] = [];
    for (let i = from; i < to; i++) items.push(item(i));
    const metadata = {
      resourceVersion: LIST_VERSION,
      ...(to < total ? { continue: String(to) } : {}),
    };
    res.writeHead(200, { "Content-Type": "application/json" });
    res.end(JSON.stringify({ kind: "List", apiVersion: "v1", metadata, items }));
  };
  const server: Server = createServer({ cert: pair.certPem, key: pair.keyPem }, answer);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as AddressInfo).port,
    counts,
    close: async () => {
      for (const res of open) res.destroy();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
