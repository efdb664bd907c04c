// A real HTTPS webhook server on loopback over in-memory facts, and a small client for it.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { afterAll, beforeAll } from "vitest";
import { httpsRequest } from "../../../https-request.ts";
import type { Logger } from "pino";
import { createCertificateAuthority, type KeyPairPem } from "../../../../src/tls/pki.ts";
import type { KubeObject } from "../../../../src/k8s/object.ts";
import { createLogger } from "../../../../src/log.ts";
import type { AdmissionUserInfo } from "../../../../src/webhook/admission/review.ts";
import { createWebhookApp, type WebhookDeps } from "../../../../src/webhook/http/app.ts";
import type { CachedFacts } from "../../../../src/webhook/cache/cached-facts.ts";
import { createWebhookMetrics } from "../../../../src/webhook/metrics.ts";
import { WebhookServer, type ServerTimeouts } from "../../../../src/webhook/http/server.ts";
import { leanRoutes } from "../../../../src/webhook/http/lean/lean-routes.ts";
import { SuccessLog } from "../../../../src/webhook/authn/success-log.ts";
import { CONTROLLER } from "../admission/fixtures.ts";
import { factsOf, NOW } from "../fixtures.ts";

/**
 * Certificates for one test file: a CA, a serving pair for 127.0.0.1, kube-apiserver's client
 * pair, and two that must not pass: another name from the same CA, the right name from a
 * stranger's CA.
 */
export interface TestPki {
  dir: string;
  caPem: string;
  server: KeyPairPem;
  client: KeyPairPem;
  otherName: KeyPairPem;
  strangerCa: KeyPairPem;
  files: { cert: string; key: string; ca: string };
  issueServer(): Promise<KeyPairPem>;
}

export async function createTestPki(): Promise<TestPki> {
  const dir = await mkdtemp(join(tmpdir(), "svctokens-webhook-test-"));
  const ca = await createCertificateAuthority("svctokens-test-ca");
  const issueServer = (): Promise<KeyPairPem> =>
    ca.issue({ usage: "server", commonName: "svctokens-webhook", ipAddresses: ["127.0.0.1"] });
  const server = await issueServer();
  const client = await ca.issue({ usage: "client", commonName: "kube-apiserver" });
  const otherName = await ca.issue({ usage: "client", commonName: "alice" });
  const stranger = await createCertificateAuthority("svctokens-stranger-ca");
  const strangerCa = await stranger.issue({ usage: "client", commonName: "kube-apiserver" });
  const files = { cert: join(dir, "tls.crt"), key: join(dir, "tls.key"), ca: join(dir, "ca.crt") };
  await Promise.all([
    writeFile(files.cert, server.certPem),
    writeFile(files.key, server.keyPem),
    writeFile(files.ca, ca.certPem),
  ]);
  return { dir, caPem: ca.certPem, server, client, otherName, strangerCa, files, issueServer };
}

export async function removePki(pki: TestPki): Promise<void> {
  await rm(pki.dir, { recursive: true, force: true });
}

/** Everything a test may look at after requests. */
export interface Harness {
  server: WebhookServer;
  deps: WebhookDeps;
  facts: CachedFacts;
  uses: { tokenKey: string; at: Date }[];
  adminChecks: AdmissionUserInfo[];
  logLines: string[];
  state: { synced: boolean; adminAnswer: (user: AdmissionUserInfo) => Promise<boolean> };
  /** Requests that reached node's HTTP server (the lean routes answer the others). */
  nodeRequests: { count: number };
  port: number;
  url(path: string): string;
  stop(): Promise<void>;
}

export interface HarnessOptions {
  pki: TestPki;
  users?: KubeObject[];
  tokens?: KubeObject[];
  records?: KubeObject[];
  admins?: string[];
  clientCertificates?: boolean;
  /** false: node's HTTP server answers every request (the lean routes are off). */
  lean?: boolean;
  timeouts?: Partial<ServerTimeouts>;
  logLevel?: string;
  log?: Logger;
  /** Labels of namespaces by name (none: every namespace has no labels). */
  namespaceLabels?: Record<string, Record<string, string>>;
}

export async function startHarness(options: HarnessOptions): Promise<Harness> {
  const logLines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done): void {
      logLines.push(...chunk.toString().split("\n").filter(Boolean));
      done();
    },
  });
  const log = options.log ?? createLogger(options.logLevel ?? "trace", sink);
  const facts = factsOf(options);
  const successLog = new SuccessLog({ log });
  const uses: Harness["uses"] = [];
  const adminChecks: AdmissionUserInfo[] = [];
  const admins = new Set(options.admins ?? ["root"]);
  const state: Harness["state"] = {
    synced: true,
    adminAnswer: (user) => Promise.resolve(admins.has(user.username ?? "")),
  };
  const deps: WebhookDeps = {
    facts,
    hasSynced: () => state.synced,
    recordUse: (tokenKey, at) => uses.push({ tokenKey, at }),
    noteSuccess: (attribution) => successLog.note(attribution),
    isAdmin: (user) => {
      adminChecks.push(user);
      return state.adminAnswer(user);
    },
    fetchNamespaceLabels: (name) => Promise.resolve(options.namespaceLabels?.[name] ?? {}),
    controllerUsername: CONTROLLER,
    maxTokenLifetimeDays: undefined,
    requireClientCertificate: options.clientCertificates ?? false,
    allowedClientNames: ["kube-apiserver"],
    metrics: createWebhookMetrics(false),
    log,
    now: () => NOW,
  };
  const nodeRequests = { count: 0 };
  const app = createWebhookApp(deps);
  const server = await WebhookServer.start({
    handler: (req, res) => {
      nodeRequests.count++;
      app(req, res);
    },
    timeouts: options.timeouts,
    lean: options.lean === false ? undefined : leanRoutes(deps),
    tls: {
      certFile: options.pki.files.cert,
      keyFile: options.pki.files.key,
      clientCaFile: options.clientCertificates ? options.pki.files.ca : undefined,
    },
    host: "127.0.0.1",
    port: 0,
    log,
    tlsReloadIntervalMs: 60_000,
  });
  const port = server.port; // address() is null once closed
  return {
    server,
    deps,
    facts,
    uses,
    adminChecks,
    logLines,
    state,
    nodeRequests,
    port,
    url: (path) => `https://127.0.0.1:${port}${path}`,
    stop: () => server.close(1000),
  };
}

/** A harness shared by the tests of one file; `h` and `pki` are set once `beforeAll` ran. */
export interface FileHarness {
  h: Harness;
  pki: TestPki;
}

/**
 * Starts one harness for the whole test file (fresh PKI, then `afterStart`, e.g. warming up)
 * and stops it and removes its PKI after the file's tests.
 */
export function harnessForFile(
  options: Omit<HarnessOptions, "pki">,
  afterStart?: (t: FileHarness) => Promise<void> | void,
): FileHarness {
  const t = {} as FileHarness;
  beforeAll(async () => {
    t.pki = await createTestPki();
    t.h = await startHarness({ ...options, pki: t.pki });
    await afterStart?.(t);
  });
  afterAll(async () => {
    await t.h.stop();
    await removePki(t.pki);
  });
  return t;
}

/** An HTTP answer. */
export interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json(): unknown;
  /** The serving certificate's fingerprint, to see reloads. */
  certFingerprint: string | undefined;
}

export interface Call {
  method?: string;
  path: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Present kube-apiserver's client certificate (default true), none, or this one. */
  clientCert?: boolean | KeyPairPem;
}

function clientCredentials(
  pki: TestPki,
  choice: Call["clientCert"],
): { cert?: string; key?: string } {
  if (choice === false) return {};
  const pair = choice === undefined || choice === true ? pki.client : choice;
  return { cert: pair.certPem, key: pair.keyPem };
}

/** Sends one request on a fresh connection, trusting only the test CA. */
export async function call(h: Harness, pki: TestPki, c: Call): Promise<Answer> {
  const answer = await httpsRequest(h.url(c.path), {
    method: c.method ?? "GET",
    ca: pki.caPem,
    agent: false,
    ...clientCredentials(pki, c.clientCert),
    headers: c.headers,
    body: c.body,
  });
  return { ...answer, json: () => JSON.parse(answer.text) as unknown };
}

/** POSTs a JSON body. */
export async function postJson(
  h: Harness,
  pki: TestPki,
  path: string,
  body: unknown,
  extra: Partial<Call> = {},
): Promise<Answer> {
  return call(h, pki, {
    method: "POST",
    path,
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
    ...extra,
  });
}

export function tokenReview(token: string, audiences?: string[]): unknown {
  return {
    apiVersion: "authentication.k8s.io/v1",
    kind: "TokenReview",
    spec: { token, ...(audiences ? { audiences } : {}) },
  };
}

export function admissionReview(request: unknown): unknown {
  return { apiVersion: "admission.k8s.io/v1", kind: "AdmissionReview", request };
}
