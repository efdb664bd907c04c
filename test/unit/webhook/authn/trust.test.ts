// What a hash record must be to authenticate (docs/decisions.md, records 25-27): written by the
// controller under its canonical name, pinned by its token's status, for the ServiceUser the
// token was generated for; expiry from the token, never from the record.
import { describe, expect, it } from "vitest";
import {
  ANNOTATION_CREATED_AT,
  ANNOTATION_EXPIRES_AT,
} from "../../../../src/domain/hash-record.ts";
import type { KubeObject } from "../../../../src/k8s/object.ts";
import { decideAuthentication } from "../../../../src/webhook/authn/decide.ts";
import {
  DAY_MS,
  factsOf,
  issue,
  NOW,
  pinnedTo,
  serviceToken,
  serviceUser,
  writtenByTheController,
} from "../fixtures.ts";

const user = serviceUser("ci-bot", { role: "Member" });
const token = serviceToken("ci", { expiresInDays: 1 });
const issued = issue(token, { createdAt: new Date(NOW.getTime() - DAY_MS / 2) });
const pinned = pinnedTo(token, issued.record);

const renamed = (record: KubeObject, name: string): KubeObject => ({
  ...record,
  metadata: { ...record.metadata, name },
});
const annotated = (record: KubeObject, annotations: Record<string, string>): KubeObject => ({
  ...record,
  metadata: {
    ...record.metadata,
    annotations: { ...record.metadata?.annotations, ...annotations },
  },
});
const FAR_FUTURE = "2099-01-01T00:00:00.000Z";

describe("which hash records count", () => {
  interface Case {
    name: string;
    records: KubeObject[];
    tokens?: KubeObject[];
    authenticated: boolean;
    reason?: string;
  }
  const other = serviceToken("other", { uid: "uid-other" });
  const otherIssued = issue(other);
  const cases: Case[] = [
    {
      name: "the controller's record, pinned by its token",
      records: [issued.record],
      authenticated: true,
    },
    {
      name: "a record under a non-canonical name",
      records: [renamed(issued.record, "token-ci-copy")],
      authenticated: false,
      reason: "unknown",
    },
    {
      name: "a record whose data another field manager wrote",
      records: [writtenByTheController(issued.record, "kubectl-create")],
      authenticated: false,
      reason: "unknown",
    },
    {
      name: "a record without managedFields",
      records: [{ ...issued.record, metadata: { ...issued.record.metadata, managedFields: [] } }],
      authenticated: false,
      reason: "unknown",
    },
    {
      name: "a record without the managed-by label",
      records: [
        {
          ...issued.record,
          metadata: { ...issued.record.metadata, labels: { "svctokens.dev/token-uid": "x" } },
        },
      ],
      authenticated: false,
      reason: "unknown",
    },
    {
      name: "a canonical record whose hash the token's status does not pin",
      records: [issued.record],
      tokens: [pinnedTo(token, issue(token).record)],
      authenticated: false,
      reason: "stale",
    },
    {
      name: "a token without a pin at all (no status.tokenId)",
      records: [issued.record],
      tokens: [{ ...token, status: { phase: "Active" } }],
      authenticated: false,
      reason: "stale",
    },
    {
      name: "the real record plus copies of its hash under other names and tokens",
      records: [
        issued.record,
        renamed(issued.record, "token-planted-1"),
        writtenByTheController(renamed(issued.record, "token-planted-2"), "mallory"),
        // At another real token's canonical name: that token pins its own value.
        issue(other, { value: issued.value }).record,
      ],
      tokens: [pinned, pinnedTo(other, otherIssued.record)],
      authenticated: true,
    },
  ];

  it.each(cases)("$name → authenticated: $authenticated", (c) => {
    const facts = factsOf({
      users: [user],
      tokens: c.tokens ?? [pinned],
      records: c.records,
      pin: false,
    });
    const decision = decideAuthentication(issued.value, [], facts, NOW);
    expect(decision.authenticated).toBe(c.authenticated);
    if (c.reason) expect(decision).toMatchObject({ reason: c.reason });
  });
});

describe("expiry comes from the token", () => {
  const past = new Date(NOW.getTime() + 2 * DAY_MS);

  it("is not extended by a record's created-at / expires-at in 2099", () => {
    const forged = annotated(issued.record, {
      [ANNOTATION_CREATED_AT]: FAR_FUTURE,
      [ANNOTATION_EXPIRES_AT]: FAR_FUTURE,
    });
    const facts = factsOf({ users: [user], tokens: [pinned], records: [forged] });
    expect(decideAuthentication(issued.value, [], facts, NOW).authenticated).toBe(true);
    expect(decideAuthentication(issued.value, [], facts, past)).toMatchObject({
      authenticated: false,
      reason: "expired",
    });
  });

  it("counts from metadata.creationTimestamp when the status has no createdAt", () => {
    const created = new Date(NOW.getTime() - 3 * DAY_MS).toISOString();
    const unstamped = {
      ...token,
      metadata: { ...token.metadata, creationTimestamp: created },
      status: { tokenId: issued.tokenId, serviceUserUid: "uid-user-ci-bot" },
    };
    const future = annotated(issued.record, { [ANNOTATION_CREATED_AT]: FAR_FUTURE });
    const facts = factsOf({ users: [user], tokens: [unstamped], records: [future] });
    expect(decideAuthentication(issued.value, [], facts, NOW)).toMatchObject({ reason: "expired" });
  });

  it("takes the earliest of status.expiresAt and status.createdAt + spec.expiresInDays", () => {
    const reportedEarly = {
      ...pinned,
      status: {
        ...(pinned.status as object),
        expiresAt: new Date(NOW.getTime() - 1).toISOString(),
      },
    };
    const facts = factsOf({ users: [user], tokens: [reportedEarly], records: [issued.record] });
    expect(decideAuthentication(issued.value, [], facts, NOW)).toMatchObject({ reason: "expired" });
  });
});

describe("the ServiceUser is pinned at generation", () => {
  const admin = serviceUser("ci-bot", { role: "Admin", uid: "uid-new-user" });
  const fresh = issue(token, { createdAt: NOW });
  const labels = { ...fresh.record.metadata?.labels };
  delete labels["svctokens.dev/service-user-uid"];
  const unlabelled = { ...fresh.record, metadata: { ...fresh.record.metadata, labels } };

  it.each([
    ["recreated under the same name (another uid)", fresh.record, { serviceUserUid: "uid-old" }],
    ["recreated, pinned only by the record's label", fresh.record, {}],
    ["not pinned at all", unlabelled, {}],
  ])("refuses a token whose ServiceUser was %s", (_case, record, status) => {
    const t = pinnedTo({ ...token, status }, record);
    const facts = factsOf({ users: [admin], tokens: [t], records: [record] });
    expect(decideAuthentication(fresh.value, [], facts, NOW)).toMatchObject({
      authenticated: false,
      reason: "user-replaced",
    });
  });

  it("authenticates the ServiceUser it was generated for", () => {
    const original = serviceUser("ci-bot", { role: "Admin" });
    const facts = factsOf({ users: [original], tokens: [token], records: [fresh.record] });
    expect(decideAuthentication(fresh.value, [], facts, NOW).authenticated).toBe(true);
  });
});
