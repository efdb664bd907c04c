// The README's nginx `auth_request` set-up, run with Debian's nginx in front of a tiny upstream:
// nginx asks the webhook service's /verify over HTTPS (verifying its certificate against the
// control plane's CA) and passes the identity headers upstream. One location also calls
// /verify the way Envoy's ext_authz does (the client's method, /verify + the client's path).
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startNginx, type Nginx } from "../support/nginx.ts";
import { WebhookRun, type DeliveredToken } from "./webhook-run.ts";

let run: WebhookRun;
let nginx: Nginx;
let upstream: Server;
let member: DeliveredToken;
let ns: string;

/** Where nginx sends the auth subrequest: the webhook, its certificate checked. */
const toWebhook = (webhookUrl: string, caFile: string, uri: string): string => `
      internal;
      proxy_pass ${webhookUrl}${uri};
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
  server {
    listen ${listen};
    location = /_verify { ${toWebhook(webhookUrl, caFile, "/verify")} }
    location = /_verify_admins { ${toWebhook(webhookUrl, caFile, "/verify?group=svctokens:role:admin")} }
    location = /_verify_payments {
      ${toWebhook(webhookUrl, caFile, "/verify?group=svctokens:team:identity,svctokens:team:payments")}
    }
    location = /_verify_as_envoy {
      ${toWebhook(webhookUrl, caFile, "/verify$request_uri")}
      proxy_method $request_method;
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
