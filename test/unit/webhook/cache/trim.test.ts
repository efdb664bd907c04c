// What the webhook's caches keep of an object: the fields its decisions read, nothing of
// kubectl's last-applied copy or managedFields beyond who wrote a record's data. (Every
// decision test also runs on trimmed objects: fixtures.ts feeds facts through these.)
import { describe, expect, it } from "vitest";
import { readHashRecord } from "../../../../src/domain/hash-record.ts";
import { writtenByController } from "../../../../src/domain/secret-trust.ts";
import type { KubeObject } from "../../../../src/k8s/object.ts";
import {
  trimHashRecord,
  trimServiceToken,
  trimServiceUser,
} from "../../../../src/webhook/cache/trim.ts";
import { issue, serviceToken, serviceUser, writtenByTheController } from "../fixtures.ts";

const LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration";
const listed = (object: KubeObject, extra: Record<string, unknown> = {}): KubeObject => ({
  ...object,
  metadata: {
    ...object.metadata,
    resourceVersion: "7",
    annotations: {
      [LAST_APPLIED]: JSON.stringify(object),
      "svctokens.dev/rotate-requested-at": "x",
    },
    finalizers: ["svctokens.dev/hash-record"],
    managedFields: [{ manager: "kubectl", operation: "Update", fieldsV1: { "f:spec": {} } }],
  },
  ...extra,
});

describe("trimming on ingest", () => {
  it("keeps a ServiceToken's spec but its description, the status fields decisions read, and nothing else", () => {
    const status = {
      phase: "Active",
      tokenId: "0123456789abcdef",
      createdAt: "2025-05-01T00:00:00Z",
      serviceUserUid: "u",
      previousTokenId: "fedcba9876543210",
      previousValueExpiresAt: "2025-05-01T01:00:00Z",
      conditions: [{ type: "Ready", status: "True", message: "long text" }],
      expiresIn: "30d",
    };
    const listedToken = listed(serviceToken("ci", { deleting: true }), { status });
    const token = { ...listedToken, spec: { ...(listedToken.spec as object), description: "CI" } };
    const trimmed = trimServiceToken(token);
    expect(trimmed).toEqual({
      metadata: {
        name: "ci",
        namespace: "prod",
        uid: "uid-token-prod-ci",
        deletionTimestamp: "2025-06-01T11:00:00Z",
        annotations: { "svctokens.dev/rotate-requested-at": "x" },
      },
      spec: listedToken.spec,
      status: {
        phase: "Active",
        tokenId: "0123456789abcdef",
        createdAt: "2025-05-01T00:00:00Z",
        serviceUserUid: "u",
        previousTokenId: "fedcba9876543210",
        previousValueExpiresAt: "2025-05-01T01:00:00Z",
      },
    });
  });

  it("keeps a ServiceUser's identity and spec", () => {
    const user = listed(serviceUser("ci-bot", { role: "Admin", teams: ["a"] }), {
      status: { groups: ["svctokens:role:admin"], conditions: [] },
    });
    const trimmed = trimServiceUser(user);
    expect(trimmed.spec).toEqual(user.spec);
    expect(trimmed.metadata).toMatchObject({ name: "ci-bot", uid: user.metadata?.uid });
    expect(JSON.stringify(trimmed)).not.toContain(LAST_APPLIED);
    expect(trimmed).not.toHaveProperty("status");
  });

  it.each<[string, (record: KubeObject) => KubeObject]>([
    ["written by the controller", (record) => record],
    ["data set by another manager too", (record) => withDataOwner(record, "mallory")],
    ["data set by another manager only", (record) => writtenByTheController(record, "mallory")],
    [
      "no managedFields",
      (record) => ({ ...record, metadata: { ...record.metadata, managedFields: undefined } }),
    ],
  ])("a hash record %s reads and is trusted exactly as before", (_case, variant) => {
    const record = variant(listed(issue(serviceToken("ci")).record));
    const trimmed = trimHashRecord(record);
    expect(readHashRecord(trimmed)).toEqual(readHashRecord(record));
    expect(writtenByController(trimmed)).toBe(writtenByController(record));
    expect(JSON.stringify(trimmed)).not.toContain(LAST_APPLIED);
    expect(JSON.stringify(trimmed)).not.toContain("f:spec");
  });
});

function withDataOwner(record: KubeObject, manager: string): KubeObject {
  const entries = record.metadata?.managedFields ?? [];
  const managedFields = [...entries, { manager, operation: "Update", fieldsV1: { "f:data": {} } }];
  return { ...record, metadata: { ...record.metadata, managedFields } };
}
