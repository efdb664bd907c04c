// A fake API server for KubeRest and Informer unit tests: real HTTPS on loopback (so pools,
// keep-alive and client certificates are the real thing), answers scripted per test.
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import type { TLSSocket } from "node:tls";
import { KubeConfig } from "@kubernetes/client-node";
import { createCertificateAuthority, type KeyPairPem } from "../../../src/tls/pki.ts";

/** One request as the server saw it. */
export interface SeenRequest {
  method: string;
  url: string;
  headers: IncomingMessage["headers"];
  /** Common name of the client certificate, if one was presented. */
  clientName: string | undefined;
  body: string;
}

export type Handler = (req: SeenRequest, res: ServerResponse) => void;

export interface FakeApiServer {
  url: string;
  requests: SeenRequest[];
  /** TLS connections accepted so far. */
  connections: number;
  /** Responses the server saw closed before it ended them itself (cut watches). */
  cutResponses: number;
  /** Answers every request; replace per test. */
  handle: Handler;
  dir: string;
  caPem: string;
  issueClient(commonName: string): Promise<KeyPairPem>;
  /** A kubeconfig for this server; `user` as client-node takes it (token, files...). */
  kubeConfig(user: Record<string, unknown>): KubeConfig;
  stop(): Promise<void>;
}

export async function startFakeApiServer(): Promise<FakeApiServer> {
  const dir = await mkdtemp(join(tmpdir(), "svctokens-rest-test-"));
  const ca = await createCertificateAuthority("fake-apiserver-ca");
  const serving = await ca.issue({
    usage: "server",
    commonName: "fake-apiserver",
    ipAddresses: ["127.0.0.1"],
  });
  const fake: FakeApiServer = {
    url: "",
    requests: [],
    connections: 0,
    cutResponses: 0,
    handle: (_req, res) => res.writeHead(404).end(),
    dir,
    caPem: ca.certPem,
    issueClient: (commonName) => ca.issue({ usage: "client", commonName }),
    kubeConfig(user) {
      const kubeConfig = new KubeConfig();
      kubeConfig.loadFromOptions({
        clusters: [
          {
            name: "fake",
            server: fake.url,
            caData: Buffer.from(ca.certPem).toString("base64"),
          },
        ],
        users: [{ name: "fake-user", ...user }],
        contexts: [{ name: "fake", cluster: "fake", user: "fake-user" }],
        currentContext: "fake",
      });
      return kubeConfig;
    },
    stop: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await rm(dir, { recursive: true, force: true });
    },
  };
  const server: Server = createServer(
    {
      cert: serving.certPem,
      key: serving.keyPem,
      ca: ca.certPem,
      requestCert: true,
      rejectUnauthorized: false,
      keepAliveTimeout: 10 * 60_000,
    },
    (req, res) => {
      let body = "";
      req.setEncoding("utf8");
      req.on("data", (chunk: string) => (body += chunk));
      req.on("end", () => {
        const peer = (req.socket as TLSSocket).getPeerCertificate();
        const seen: SeenRequest = {
          method: req.method ?? "",
          url: req.url ?? "",
          headers: req.headers,
          clientName: typeof peer.subject?.CN === "string" ? peer.subject.CN : undefined,
          body,
        };
        fake.requests.push(seen);
        res.on("close", () => {
          if (!res.writableEnded) fake.cutResponses += 1;
        });
        fake.handle(seen, res);
      });
    },
  );
  server.on("secureConnection", () => (fake.connections += 1));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  fake.url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return fake;
}

/** Writes a file in the server's temp dir and returns its path. */
export async function writeTestFile(
  fake: FakeApiServer,
  name: string,
  text: string,
): Promise<string> {
  const path = join(fake.dir, name);
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, text);
  return path;
}

/** Answers with a JSON body. */
export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "Content-Type": "application/json" }).end(JSON.stringify(body));
}

/** A metav1.Status error body. */
export function statusBody(code: number, reason: string, message: string): object {
  return { kind: "Status", apiVersion: "v1", status: "Failure", code, reason, message };
}
