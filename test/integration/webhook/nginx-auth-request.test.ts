// The README's nginx `auth_request` set-up, run with Debian's nginx in front of a tiny upstream:
// nginx asks the webhook service's /verify over HTTPS (verifying its certificate against the
// control plane's CA) over kept-alive connections, and passes the identity headers upstream. One location also calls
// /verify the way Envoy's ext_authz does (the client's method, /verify + the client's path).
import { subscribe, unsubscribe } from "node:diagnostics_channel";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { Socket } from "node:net";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startNginx, type Nginx } from "../support/nginx.ts";
import { WebhookRun, type DeliveredToken } from "./webhook-run.ts";
import {
  LEAN_ANSWER_CHANNEL,
  type LeanAnswerTimes,
} from "../../../src/webhook/http/lean/lean-connection.ts";

let run: WebhookRun;
let nginx: Nginx;
let upstream: Server;
let member: DeliveredToken;
let ns: string;

/**
 * Where nginx sends the auth subrequest: the webhook (an upstream of kept-alive HTTP/1.1
 * connections, as the README's set-up), its certificate checked. nginx reads no body of an
 * auth subrequest's answer, so it keeps the connection only when there is none: HEAD.
 */
const toWebhook = (caFile: string, uri: string, method = "HEAD"): string => `
      internal;
      proxy_pass https://svctokens_webhook${uri};
      proxy_method ${method};
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_pass_request_body off;
      proxy_set_header Content-Length "";
      proxy_ssl_trusted_certificate ${caFile};
      proxy_ssl_verify on;
      proxy_ssl_name svctokens-webhook;`;

/** Copies the identity headers of /verify's 200 onto the upstream request. */
const protectedBy = (auth: string, upstreamUrl: string): string => `
      auth_request ${auth};
      auth_request_set $svct_user $upstream_http_x_auth_request_user;
      auth_request_set $svct_groups $upstream_http_x_auth_request_groups;
      auth_request_set $svct_token_id $upstream_http_x_auth_request_token_id;
      proxy_set_header X-Auth-Request-User $svct_user;
      proxy_set_header X-Auth-Request-Groups $svct_groups;
      proxy_set_header X-Auth-Request-Token-Id $svct_token_id;
      proxy_pass ${upstreamUrl};`;

function servers(webhookUrl: string, upstreamUrl: string, caFile: string) {
  return (listen: string): string => `
  upstream svctokens_webhook {
    server ${new URL(webhookUrl).host};
    keepalive 8;
  }
  server {
    listen ${listen};
    location = /_verify { ${toWebhook(caFile, "/verify")} }
    location = /_verify_admins { ${toWebhook(caFile, "/verify?group=svctokens:role:admin")} }
    location = /_verify_payments {
      ${toWebhook(caFile, "/verify?group=svctokens:team:identity,svctokens:team:payments")}
    }
    location = /_verify_as_envoy {
      ${toWebhook(caFile, "/verify$request_uri", "$request_method")}
    }
    location / { ${protectedBy("/_verify", upstreamUrl)} }
    location /admins/ { ${protectedBy("/_verify_admins", upstreamUrl)} }
    location /payments/ { ${protectedBy("/_verify_payments", upstreamUrl)} }
    location /envoy/ { ${protectedBy("/_verify_as_envoy", upstreamUrl)} }
  }`;
}

/** What the upstream saw: method, path and the identity headers. */
interface Seen {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
}

async function get(
  path: string,
  token?: string,
  init: RequestInit = {},
): Promise<{ status: number; seen?: Seen }> {
  const headers = new Headers(init.headers);
  if (token !== undefined) headers.set("Authorization", `Bearer ${token}`);
  const response = await fetch(`${nginx.url}${path}`, { ...init, headers });
  const text = await response.text();
  return {
    status: response.status,
    ...(response.status === 200 ? { seen: JSON.parse(text) as Seen } : {}),
  };
}

beforeAll(async () => {
  run = await WebhookRun.start();
  upstream = createServer((req, res) => {
    const seen: Seen = { method: req.method ?? "", url: req.url ?? "", headers: req.headers };
    req.resume();
    res.setHeader("Content-Type", "application/json").end(JSON.stringify(seen));
  });
  await new Promise<void>((resolve) => upstream.listen(0, "127.0.0.1", resolve));
  const address = upstream.address();
  const upstreamUrl = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
  const caFile = join(run.dir, "webhook-ca.crt");
  await writeFile(caFile, run.service.caPem);
  nginx = await startNginx(servers(run.service.url, upstreamUrl, caFile));

  ns = await run.namespace("nginx");
  const user = `payments-ci-${run.run}`;
  await run.createUser(run.admin, user, { role: "Member", teams: ["payments"] });
  await run.createToken(run.admin, ns, "ci", { serviceUser: user });
  member = await run.delivered(ns, "ci");
}, 120_000);

afterAll(async () => {
  await nginx?.stop();
  await new Promise((resolve) => upstream?.close(resolve));
  await run?.stop();
}, 120_000);

describe("nginx auth_request in front of /verify", () => {
  it("keeps its connections to the webhook open, which answers them on the lean routes", async () => {
    const webhookPort = Number(new URL(run.service.url).port);
    let connections = 0;
    let leanAnswers = 0;
    const onSocket = (message: unknown): void => {
      if ((message as { socket: Socket }).socket.localPort === webhookPort) connections++;
    };
    const onLeanAnswer = (message: unknown): void => {
      if ((message as LeanAnswerTimes).path === "/verify") leanAnswers++;
    };
    subscribe("net.server.socket", onSocket);
    subscribe(LEAN_ANSWER_CHANNEL, onLeanAnswer);
    try {
      for (let i = 0; i < 20; i++)
        expect((await get("/api/things", member.value)).status).toBe(200);
    } finally {
      unsubscribe("net.server.socket", onSocket);
      unsubscribe(LEAN_ANSWER_CHANNEL, onLeanAnswer);
    }
    // A connection (and a TLS handshake) per request without the upstream's keepalive or with
    // GET (20 here); one at most with both (none if an earlier test left one open).
    expect(connections).toBeLessThanOrEqual(1);
    expect(leanAnswers).toBe(20);
  });

  it("passes a valid token upstream with its identity, and overrides forged identity headers", async () => {
    const answer = await get("/api/things?page=1", member.value, {
      headers: { "X-Auth-Request-User": "root@service" },
    });
    expect(answer.status, nginx.log()).toBe(200);
    expect(answer.seen).toMatchObject({ method: "GET", url: "/api/things?page=1" });
    expect(answer.seen?.headers).toMatchObject({
      "x-auth-request-user": `payments-ci-${run.run}@service`,
      "x-auth-request-token-id": member.tokenId,
    });
    expect(answer.seen?.headers["x-auth-request-groups"]).toContain("svctokens:team:payments");
  });

  it("answers 403 where ?group= asks for a group the token lacks, 200 where it holds one", async () => {
    expect((await get("/admins/x", member.value)).status).toBe(403);
    expect((await get("/admins/x")).status).toBe(401);
    expect((await get("/payments/x", member.value)).status).toBe(200);
  });

  it("forwards any method and the sub-path as Envoy does, and ignores the client's query", async () => {
    const posted = await get("/envoy/orders/7?audience=scim&group=x", member.value, {
      method: "POST",
      body: "{}",
    });
    expect(posted.status, nginx.log()).toBe(200);
    expect(posted.seen).toMatchObject({
      method: "POST",
      url: "/envoy/orders/7?audience=scim&group=x",
    });
  });

  it("answers 401 for no token, a look-alike, and the token once revoked", async () => {
    const lookAlike = member.value.slice(0, -1) + (member.value.endsWith("A") ? "B" : "A");
    for (const token of [undefined, lookAlike, "not-a-token"]) {
      expect((await get("/api/things", token)).status).toBe(401);
    }
    await run.admin.patchToken(ns, "ci", { revoked: true });
    // Refused as soon as the webhook's watch has seen spec.revoked.
    await expect.poll(async () => (await get("/api/things", member.value)).status).toBe(401);
    expect((await get("/envoy/orders/7", member.value, { method: "DELETE" })).status).toBe(401);
  });
});
