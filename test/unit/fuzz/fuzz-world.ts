// The world the webhook fuzzer runs against: the real app over HTTPS (the unit HTTP harness)
// on in-memory facts with a few known tokens, a keep-alive client, raw TLS requests, and the
// checks every answer must pass whatever was sent.
import { Agent } from "node:https";
import { httpsRequest } from "../../https-request.ts";
import { connect } from "node:tls";
import { expect } from "vitest";
import type { KubeObject } from "../../../src/k8s/object.ts";
import { TOKEN_PATTERN } from "../../../src/tokens/index.ts";
import {
  DAY_MS,
  issue,
  NOW,
  pinnedTo,
  serviceToken,
  serviceUser,
  type IssuedToken,
} from "../webhook/fixtures.ts";
import { fixedToken } from "./arbitraries/tokens.ts";
import { startHarness, type Harness, type TestPki } from "../webhook/http/http-harness.ts";

/** The tokens the fuzz world knows, by what they may do. */
export interface KnownTokens {
  /** ci-bot's unrestricted token. */
  ci: IssuedToken;
  /** boss's (an Admin) unrestricted token. */
  boss: IssuedToken;
  /** ci-bot's token restricted to the `scim` audience. */
  scim: IssuedToken;
  revoked: IssuedToken;
  expired: IssuedToken;
  /** Every value above. */
  values: string[];
}

export interface FuzzWorld {
  harness: Harness;
  tokens: KnownTokens;
}

/** The world's objects: two users, five tokens (three of which authenticate), their records. */
export interface FuzzWorldObjects {
  users: KubeObject[];
  tokens: KubeObject[];
  records: KubeObject[];
  issued: Omit<KnownTokens, "values">;
  values: string[];
}

export function fuzzWorldObjects(): FuzzWorldObjects {
  const ci = serviceToken("ci");
  const boss = serviceToken("boss-token", { user: "boss" });
  const scim = serviceToken("scim", { audiences: ["scim"] });
  const revoked = serviceToken("revoked", { revoked: true });
  const createdAt = new Date(NOW.getTime() - 10 * DAY_MS);
  const expiresAt = new Date(NOW.getTime() - 9 * DAY_MS);
  const expired = serviceToken("expired", {
    expiresInDays: 1,
    status: {
      phase: "Expired",
      createdAt: createdAt.toISOString(),
      expiresAt: expiresAt.toISOString(),
    },
  });
  const issued = {
    ci: issue(ci, { value: fixedToken("ci") }),
    boss: issue(boss, { value: fixedToken("boss") }),
    scim: issue(scim, { value: fixedToken("scim") }),
    revoked: issue(revoked, { value: fixedToken("revoked") }),
    expired: issue(expired, { createdAt, expiresAt, value: fixedToken("expired") }),
  };
  const tokens = [ci, boss, scim, revoked, expired];
  return {
    users: [serviceUser("ci-bot"), serviceUser("boss", { role: "Admin" })],
    // Pinned as the controller leaves them (status.tokenId, serviceUserUid), so re-applying
    // these objects restores exactly what the webhook authenticated before.
    tokens: tokens.map((token, i) => pinnedTo(token, Object.values(issued)[i]?.record ?? {})),
    records: Object.values(issued).map((t) => t.record),
    issued,
    values: Object.values(issued).map((t) => t.value),
  };
}

/** Starts the app on the world's objects. */
export async function startFuzzWorld(pki: TestPki): Promise<FuzzWorld> {
  const objects = fuzzWorldObjects();
  const harness = await startHarness({
    pki,
    users: objects.users,
    tokens: objects.tokens,
    records: objects.records,
    logLevel: "debug",
  });
  return { harness, tokens: { ...objects.issued, values: objects.values } };
}

/** Who a value authenticates as when the request asks for `audiences`; undefined: nobody. */
export function expectedIdentity(
  tokens: KnownTokens,
  value: unknown,
  audiences: unknown,
): string | undefined {
  if (value === tokens.ci.value) return "ci-bot@service";
  if (value === tokens.boss.value) return "boss@service";
  if (value === tokens.scim.value && Array.isArray(audiences) && audiences.includes("scim")) {
    return "ci-bot@service";
  }
  return undefined;
}

/** An answer: status, headers and body text (status 0: the connection closed without one). */
export interface RawAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

/** A keep-alive client that presents the harness's client certificate. */
export function fuzzAgent(pki: TestPki): Agent {
  return new Agent({
    keepAlive: true,
    maxSockets: 1,
    ca: pki.caPem,
    cert: pki.client.certPem,
    key: pki.client.keyPem,
  });
}

export interface FuzzRequest {
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: Buffer | string;
}

/**
 * Sends one request. A reset on a reused keep-alive socket is retried once on a fresh
 * connection (the server may close after refusing a body); a second failure is the server's.
 */
export async function send(
  world: FuzzWorld,
  pki: TestPki,
  agent: Agent,
  r: FuzzRequest,
): Promise<RawAnswer> {
  try {
    return await sendWith(world, pki, agent, r);
  } catch {
    return sendWith(world, pki, false, r);
  }
}

async function sendWith(
  world: FuzzWorld,
  pki: TestPki,
  agent: Agent | false,
  r: FuzzRequest,
): Promise<RawAnswer> {
  const { status, headers, text } = await httpsRequest(world.harness.url(r.path), {
    method: r.method,
    agent,
    ...(agent === false ? { ca: pki.caPem, cert: pki.client.certPem, key: pki.client.keyPem } : {}),
    headers: r.headers,
    body: r.body,
    timeoutMs: 10_000,
  });
  return { status, headers, text };
}

/** Writes `bytes` as the whole request on a fresh TLS connection and reads until it closes. */
export async function sendRaw(world: FuzzWorld, pki: TestPki, bytes: Buffer): Promise<RawAnswer> {
  const port = Number(new URL(world.harness.url("/")).port);
  return new Promise((resolve, reject) => {
    const socket = connect(
      { host: "127.0.0.1", port, ca: pki.caPem, cert: pki.client.certPem, key: pki.client.keyPem },
      () => socket.end(bytes),
    );
    socket.setTimeout(15_000, () =>
      socket.destroy(new Error("the server neither answered nor closed within 15 s")),
    );
    const chunks: Buffer[] = [];
    socket.on("data", (chunk: Buffer) => chunks.push(chunk));
    socket.on("close", () => {
      const text = Buffer.concat(chunks).toString("latin1");
      resolve({ status: Number(/^HTTP\/1\.[01] (\d{3})/.exec(text)?.[1] ?? 0), headers: {}, text });
    });
    socket.on("error", (error: NodeJS.ErrnoException) => {
      // The server may reset after answering a request it could not parse.
      if (error.code === "ECONNRESET" || error.code === "EPIPE") return;
      reject(error);
    });
  });
}

const STACK_OR_PATH = /\bat \S+ \(|\.ts:\d+|node_modules|file:\/\/|\/(src|test)\/\S+\.ts/;

/**
 * What every answer must satisfy: a status below 500 (0 only for raw requests the server
 * closed), no stack trace or source path, and no token value: neither a known one, nor the
 * one presented, nor anything token-shaped (in the body or a header).
 */
export function expectSafeAnswer(
  world: FuzzWorld,
  answer: RawAnswer,
  presented: unknown[] = [],
): void {
  expect(answer.status, answer.text.slice(0, 300)).toBeLessThan(500);
  expect(answer.text).not.toMatch(STACK_OR_PATH);
  expect(answer.text).not.toContain(process.cwd());
  const everything = `${answer.text}\n${JSON.stringify(answer.headers)}`;
  expect(everything).not.toMatch(TOKEN_PATTERN);
  for (const value of [...world.tokens.values, ...presented]) {
    if (typeof value === "string" && value.trim().length >= 12)
      expect(everything).not.toContain(value);
  }
}

/**
 * The log since line `from`: nothing at error level (an internal failure, even one answered
 * fail-closed) and no token value.
 */
export function expectCleanLog(world: FuzzWorld, from: number): void {
  for (const line of world.harness.logLines.slice(from)) {
    const level = (JSON.parse(line) as { level?: unknown }).level;
    expect(typeof level === "number" ? level : 0, line.slice(0, 300)).toBeLessThan(50);
    expect(line).not.toMatch(TOKEN_PATTERN);
    for (const value of world.tokens.values) expect(line).not.toContain(value);
  }
}

/**
 * A 200 from /authenticate answers in the version asked, and authenticates exactly the values
 * that may authenticate (whatever else the body claimed).
 */
export function expectHonestReview(world: FuzzWorld, answer: RawAnswer, body: unknown): void {
  if (answer.status !== 200) return;
  const sent = body as { apiVersion?: unknown; spec?: { token?: unknown; audiences?: unknown } };
  const review = JSON.parse(answer.text) as {
    apiVersion: unknown;
    kind: unknown;
    status: { authenticated: boolean; user?: { username: string } };
  };
  expect(review.apiVersion).toBe(sent.apiVersion);
  expect(review.kind).toBe("TokenReview");
  const expected = expectedIdentity(world.tokens, sent.spec?.token, sent.spec?.audiences);
  expect(review.status.authenticated).toBe(expected !== undefined);
  expect(review.status.user?.username).toBe(expected);
}
