// Talking to the webhook service directly over HTTPS, as kube-apiserver and gateways do: with
// the client certificate kube-apiserver presents (from the dedicated client CA, with the
// pinned name), trusting only the control plane's CA; raw
// bytes over TLS for requests Node's HTTP client refuses to send; the service's own metrics.
import type { IncomingHttpHeaders } from "node:http";
import { Agent } from "node:https";
import { httpsRequest } from "../../https-request.ts";
import { connect } from "node:tls";
import { loadCertificateAuthorityFiles, type KeyPairPem } from "../../../src/tls/pki.ts";
import { controlPlane } from "../support/cluster.ts";
import { samplesOf } from "../support/prometheus.ts";
import type { TestWebhook } from "./webhook-support.ts";

/** Where a webhook serves and the CA its certificate chains to: all a direct call needs. */
type WebhookAddress = Pick<TestWebhook, "url" | "caPem">;

let clientCertificate: Promise<KeyPairPem> | undefined;

/** A client certificate from the webhook client CA (kube-apiserver's), named `commonName`. */
export async function webhookClientCaCertificate(commonName: string): Promise<KeyPairPem> {
  const info = controlPlane();
  const ca = await loadCertificateAuthorityFiles(
    info.webhookClientCaCertFile,
    info.webhookClientCaKeyFile,
  );
  return ca.issue({ usage: "client", commonName });
}

/** The client certificate kube-apiserver presents: the client CA's, with the pinned name. */
export async function authenticatorClientCertificate(): Promise<KeyPairPem> {
  clientCertificate ??= webhookClientCaCertificate(controlPlane().webhookClientCommonName);
  return clientCertificate;
}

/** A keep-alive agent that trusts the service and presents the client certificate. */
export async function webhookAgent(webhook: TestWebhook): Promise<Agent> {
  const cert = await authenticatorClientCertificate();
  return new Agent({
    keepAlive: true,
    maxSockets: 16,
    ca: webhook.caPem,
    cert: cert.certPem,
    key: cert.keyPem,
  });
}

/** One request to the service, over HTTPS trusting only the control plane's CA. */
export interface WebhookCall {
  method?: string;
  /** Path and query, e.g. `/verify?audience=scim`. */
  path: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Present kube-apiserver's client certificate (default true), none, or this one. */
  clientCert?: boolean | KeyPairPem;
  /** A keep-alive agent for bursts; a fresh connection per request by default. */
  agent?: Agent;
}

/** What the service answered. */
export interface WebhookAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
}

export async function callWebhook(webhook: WebhookAddress, c: WebhookCall): Promise<WebhookAnswer> {
  const cert =
    c.clientCert === false
      ? undefined
      : c.clientCert === undefined || c.clientCert === true
        ? await authenticatorClientCertificate()
        : c.clientCert;
  const { status, headers, text } = await httpsRequest(`${webhook.url}${c.path}`, {
    method: c.method ?? "GET",
    ca: webhook.caPem,
    agent: c.agent ?? false,
    ...(cert && !c.agent ? { cert: cert.certPem, key: cert.keyPem } : {}),
    headers: c.headers,
    body: c.body,
  });
  return { status, headers, text };
}

/** Raw bytes over TLS (for requests Node's HTTP client refuses to send); status and text. */
export async function rawWebhookRequest(
  webhook: TestWebhook,
  bytes: Buffer | string,
): Promise<{ status: number; text: string }> {
  const cert = await authenticatorClientCertificate();
  const { port } = new URL(webhook.url);
  return new Promise((resolve, reject) => {
    const socket = connect(
      {
        host: "127.0.0.1",
        port: Number(port),
        ca: webhook.caPem,
        cert: cert.certPem,
        key: cert.keyPem,
      },
      () => socket.end(bytes),
    );
    socket.setTimeout(15_000, () => socket.destroy(new Error("no answer within 15 s")));
    const chunks: Buffer[] = [];
    socket.on("data", (chunk: Buffer) => chunks.push(chunk));
    socket.on("end", () => {
      const text = Buffer.concat(chunks).toString("latin1");
      resolve({ status: Number(/^HTTP\/1\.[01] (\d{3})/.exec(text)?.[1] ?? 0), text });
    });
    socket.on("error", reject);
  });
}

/** A TokenReview request body. */
export function tokenReview(token: string, audiences?: string[]): Record<string, unknown> {
  return {
    apiVersion: "authentication.k8s.io/v1",
    kind: "TokenReview",
    spec: { token, ...(audiences ? { audiences } : {}) },
  };
}

/** The answer of POST /authenticate for `token`, as kube-apiserver would ask it. */
export async function authenticateDirect(
  webhook: WebhookAddress,
  token: string,
  agent?: Agent,
): Promise<{ authenticated: boolean; user?: { username: string; groups: string[] } }> {
  const answer = await callWebhook(webhook, {
    method: "POST",
    path: "/authenticate",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(tokenReview(token)),
    ...(agent ? { agent } : {}),
  });
  if (answer.status !== 200) throw new Error(`/authenticate: ${answer.status} ${answer.text}`);
  return (JSON.parse(answer.text) as { status: { authenticated: boolean } }).status;
}

/** GET /verify with a Bearer token: the HTTP status and the identity headers. */
export async function verifyDirect(
  webhook: WebhookAddress,
  token: string,
  agent?: Agent,
): Promise<{ status: number; user?: string; groups?: string }> {
  const answer = await callWebhook(webhook, {
    path: "/verify",
    headers: { Authorization: `Bearer ${token}` },
    ...(agent ? { agent } : {}),
  });
  const header = (name: string): string | undefined => answer.headers[name] as string | undefined;
  return {
    status: answer.status,
    user: header("x-auth-request-user"),
    groups: header("x-auth-request-groups"),
  };
}

/** The sum of a metric's samples whose labels include `labels`, from the service's /metrics. */
export async function webhookMetric(
  webhook: TestWebhook,
  metric: string,
  labels: Record<string, string> = {},
): Promise<number> {
  const text = await webhook.service.metrics.registry.metrics();
  return samplesOf(text, metric)
    .filter((sample) => Object.entries(labels).every(([k, v]) => sample.labels[k] === v))
    .reduce((total, sample) => total + sample.value, 0);
}
