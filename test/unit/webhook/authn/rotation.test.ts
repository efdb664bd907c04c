// The previous value of a rotated token: it authenticates (and /authorize lets its requests on)
// only while status.previousTokenId names it and the overlap has not ended by the webhook's
// clock — whether or not the controller has deleted its record yet (fail closed).
import { describe, expect, it } from "vitest";
import { desiredHashRecord } from "../../../../src/domain/hash-record.ts";
import type { KubeObject } from "../../../../src/k8s/object.ts";
import { generateToken, hashToken, tokenIdFromHash } from "../../../../src/tokens/index.ts";
import { decideAuthentication } from "../../../../src/webhook/authn/decide.ts";
import { decideAuthorization } from "../../../../src/webhook/authz/decide.ts";
import type { SubjectAccessReviewRequest } from "../../../../src/webhook/authz/subject-access-review.ts";
import {
  factsOf,
  issue,
  NOW,
  OPERATOR_NAMESPACE,
  serviceToken,
  serviceUser,
  writtenByTheController,
} from "../fixtures.ts";

const user = serviceUser("ci-bot");
const token = serviceToken("ci");
const current = issue(token);
const previousValue = generateToken();
const previousId = tokenIdFromHash(hashToken(previousValue));
const until = new Date(NOW.getTime() + 60_000);

function previousRecord(name: "previous" | "current" = "previous"): KubeObject {
  return writtenByTheController(
    desiredHashRecord({
      operatorNamespace: OPERATOR_NAMESPACE,
      token: { namespace: "prod", name: "ci", uid: token.metadata?.uid ?? "" },
      serviceUserUid: "uid-user-ci-bot",
      hash: hashToken(previousValue),
      createdAt: new Date(NOW.getTime() - 1000),
      expiresAt: undefined,
      slot: name,
    }),
  );
}

function rotated(status: Record<string, unknown> = {}): KubeObject {
  return {
    ...token,
    status: {
      tokenId: current.tokenId,
      createdAt: new Date(NOW.getTime() - 86_400_000).toISOString(),
      serviceUserUid: "uid-user-ci-bot",
      previousTokenId: previousId,
      previousValueExpiresAt: until.toISOString(),
      ...status,
    },
  };
}

const authenticates = (tokens: KubeObject[], records: KubeObject[], value: string, now = NOW) =>
  decideAuthentication(value, [], factsOf({ users: [user], tokens, records }), now);

describe("the previous value of a rotated token", () => {
  it.each<{ name: string; tokens: KubeObject[]; records: KubeObject[]; now?: Date; ok: boolean }>([
    {
      name: "authenticates inside the overlap, from its own record",
      tokens: [rotated()],
      records: [current.record, previousRecord()],
      ok: true,
    },
    {
      name: "authenticates when the current record still holds it too (mid-rotation)",
      tokens: [rotated({ tokenId: previousId.replace(/.$/, "0") })],
      records: [previousRecord("current"), previousRecord()],
      ok: true,
    },
    {
      name: "is refused at the end of the overlap, its record not yet deleted",
      tokens: [rotated()],
      records: [current.record, previousRecord()],
      now: until,
      ok: false,
    },
    {
      name: "is refused once the pin is gone (retired)",
      tokens: [rotated({ previousTokenId: undefined, previousValueExpiresAt: undefined })],
      records: [current.record, previousRecord()],
      ok: false,
    },
    {
      name: "is refused when a second rotation pinned another previous value",
      tokens: [rotated({ previousTokenId: "0123456789abcdef" })],
      records: [current.record, previousRecord()],
      ok: false,
    },
    {
      name: "is refused with a pin that lacks its end (half-written status)",
      tokens: [rotated({ previousValueExpiresAt: undefined })],
      records: [current.record, previousRecord()],
      ok: false,
    },
  ])("$name", ({ tokens, records, now, ok }) => {
    expect(authenticates(tokens, records, previousValue, now).authenticated).toBe(ok);
  });

  it("leaves the current value authenticating throughout", () => {
    const records = [current.record, previousRecord()];
    expect(authenticates([rotated()], records, current.value).authenticated).toBe(true);
    expect(authenticates([rotated()], records, current.value, until).authenticated).toBe(true);
  });

  it("is let on by /authorize during the overlap and denied after it", () => {
    const facts = factsOf({
      users: [user],
      tokens: [rotated()],
      records: [current.record, previousRecord()],
    });
    const authn = decideAuthentication(previousValue, [], facts, NOW);
    if (!authn.authenticated) throw new Error("the previous value should authenticate");
    const review: SubjectAccessReviewRequest = {
      apiVersion: "authorization.k8s.io/v1",
      user: authn.user.username,
      uid: authn.user.uid,
      groups: [...authn.user.groups],
      extra: authn.user.extra,
      resourceAttributes: { verb: "get", resource: "pods", namespace: "prod" },
    };
    const during = decideAuthorization(review, facts, NOW);
    const after = decideAuthorization(review, facts, until);
    expect(during.kind).toBe("no-opinion");
    expect(after).toMatchObject({ kind: "deny", subject: { tokenId: previousId } });
  });
});

describe("a previous value's success", () => {
  it("is never kept by hash: the overlap's end is seen by the same facts a moment later", () => {
    const facts = factsOf({ users: [user], tokens: [rotated()], records: [previousRecord()] });
    expect(decideAuthentication(previousValue, [], facts, NOW)).toMatchObject({
      authenticated: true,
    });
    expect(facts.verdicts.size).toBe(0);
    const after = new Date(until.getTime() + 1);
    expect(decideAuthentication(previousValue, [], facts, after)).toMatchObject({
      authenticated: false,
    });
  });
});
