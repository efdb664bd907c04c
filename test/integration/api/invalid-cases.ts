// What the CRDs must refuse at the door, for the integration test that drives a real
// kube-apiserver. Each case is one of:
//   - a create that must fail: create `create`, expect an error matching `message`;
//   - an update that must fail: create `create` (must succeed), then replace the object with
//     `update(created)` (a PUT of the whole object; `created` is what the API server returned,
//     so metadata.resourceVersion is kept), expect an error matching `message`.
// `create.kind` says which kind it is. ServiceTokens carry no namespace: the runner puts them
// in its test namespace. ServiceUser names start with `invalid-` and are unique across cases
// (the kind is cluster-scoped); tokens refer to the ServiceUser OWNER, which the runner may
// create first if an admission webhook checks references.
//
// Messages follow the API server's formats: `<field>: Invalid value: ...`, `<field>: Required
// value`, `<field>: Unsupported value: ...`, `<field>[i]: Duplicate value: ...`, and for CEL
// rules `<field>: Invalid value: "<type>": <rule message>`. Every regex names the field.
import {
  API_GROUP_VERSION,
  SERVICE_TOKEN_KIND,
  SERVICE_USER_KIND,
} from "../../../src/api/index.ts";

/** A ServiceUser or ServiceToken as sent to the API server. */
export interface Manifest {
  apiVersion: string;
  kind: typeof SERVICE_USER_KIND | typeof SERVICE_TOKEN_KIND;
  metadata: { name: string; namespace?: string; resourceVersion?: string };
  spec?: Record<string, unknown>;
}

export interface InvalidCase {
  name: string;
  create: Manifest;
  /** Present for update cases: the replacement object, built from the created one. */
  update?: (created: Manifest) => Manifest;
  /** Must match the API server's error message; it names the offending field. */
  message: RegExp;
}

/** Updates that must succeed: the immutability rules must not get in the way of these. */
export interface ValidUpdate {
  name: string;
  create: Manifest;
  update: (created: Manifest) => Manifest;
}

/** The ServiceUser the token cases belong to. */
export const OWNER = "invalid-cases-owner";

const HASH_A = `sha256:${"a".repeat(64)}`;
const HASH_B = `sha256:${"b".repeat(64)}`;

function user(name: string, spec?: Record<string, unknown>): Manifest {
  return { apiVersion: API_GROUP_VERSION, kind: SERVICE_USER_KIND, metadata: { name }, spec };
}

function token(name: string, spec: Record<string, unknown>): Manifest {
  return { apiVersion: API_GROUP_VERSION, kind: SERVICE_TOKEN_KIND, metadata: { name }, spec };
}

/** An update that merges `changes` into spec; a field set to `undefined` is removed. */
function withSpec(changes: Record<string, unknown>): (created: Manifest) => Manifest {
  return (created) => {
    const next = structuredClone(created);
    next.spec = { ...next.spec, ...changes };
    for (const [field, value] of Object.entries(changes)) {
      if (value === undefined) delete next.spec[field];
    }
    return next;
  };
}

const immutable = (field: string): RegExp =>
  new RegExp(`spec\\.${field}: Invalid value: .*spec\\.${field} is immutable`);
const fixedPresence = (field: string): RegExp =>
  new RegExp(`spec\\.${field}: Invalid value: .*spec\\.${field} cannot be added or removed`);

export const INVALID_CASES: InvalidCase[] = [
  // ServiceUser: creates
  {
    name: "a ServiceUser without spec",
    create: user("invalid-no-spec"),
    message: /spec: Required value/,
  },
  {
    name: "a ServiceUser without role",
    create: user("invalid-no-role", { teams: ["platform"] }),
    message: /spec\.role: Required value/,
  },
  {
    name: "role Owner",
    create: user("invalid-role-owner", { role: "Owner" }),
    message:
      /spec\.role: Unsupported value: "Owner": supported values: "Admin", "Manager", "Member"/,
  },
  {
    name: "duplicate teams",
    create: user("invalid-duplicate-teams", { role: "Member", teams: ["a", "b", "a"] }),
    message: /spec\.teams\[2\]: Duplicate value: "a"/,
  },
  {
    name: "a team name with capitals",
    create: user("invalid-team-capitals", { role: "Member", teams: ["Platform"] }),
    message: /spec\.teams\[0\]: Invalid value: "Platform": .*should match/,
  },
  {
    name: "a team name longer than 63 characters",
    create: user("invalid-team-too-long", { role: "Member", teams: ["t".repeat(64)] }),
    message: /spec\.teams\[0\]: Too long/,
  },
  {
    name: "active as a string",
    create: user("invalid-active-string", { role: "Member", active: "no" }),
    message: /spec\.active: Invalid value: "string": .*must be of type boolean/,
  },
  {
    name: "a displayName longer than 128 characters",
    create: user("invalid-display-name", { role: "Member", displayName: "d".repeat(129) }),
    message: /spec\.displayName: Too long/,
  },
  // ServiceToken: creates
  {
    name: "a ServiceToken without serviceUser",
    create: token("no-service-user", { expiresInDays: 30 }),
    message: /spec\.serviceUser: Required value/,
  },
  {
    name: "a serviceUser that is not a valid name",
    create: token("bad-service-user", { serviceUser: "CI_Bot" }),
    message: /spec\.serviceUser: Invalid value: "CI_Bot": .*should match/,
  },
  {
    name: "expiresInDays 0",
    create: token("expires-0", { serviceUser: OWNER, expiresInDays: 0 }),
    message: /spec\.expiresInDays: Invalid value: 0: .*greater than or equal to 1/,
  },
  {
    name: "expiresInDays 366",
    create: token("expires-366", { serviceUser: OWNER, expiresInDays: 366 }),
    message: /spec\.expiresInDays: Invalid value: 366: .*less than or equal to 365/,
  },
  {
    name: "expiresInDays 1.5",
    create: token("expires-fraction", { serviceUser: OWNER, expiresInDays: 1.5 }),
    message: /spec\.expiresInDays: Invalid value: "number": .*must be of type integer/,
  },
  {
    name: "revoked as a string",
    create: token("revoked-string", { serviceUser: OWNER, revoked: "yes" }),
    message: /spec\.revoked: Invalid value: "string": .*must be of type boolean/,
  },
  {
    name: "a malformed tokenHash (uppercase hex)",
    create: token("hash-uppercase", { serviceUser: OWNER, tokenHash: `sha256:${"A".repeat(64)}` }),
    message: /spec\.tokenHash: Invalid value: "sha256:A+": .*should match/,
  },
  {
    name: "a tokenHash without the sha256: prefix",
    create: token("hash-no-prefix", { serviceUser: OWNER, tokenHash: "a".repeat(64) }),
    message: /spec\.tokenHash: Invalid value: "a+": .*should match/,
  },
  {
    name: "a secretName with capitals",
    create: token("secret-capitals", { serviceUser: OWNER, secretName: "CI-Token" }),
    message: /spec\.secretName: Invalid value: "CI-Token": .*should match/,
  },
  {
    name: "empty audiences",
    create: token("audiences-empty", { serviceUser: OWNER, audiences: [] }),
    message: /spec\.audiences: Invalid value: .*should have at least 1 items/,
  },
  {
    name: "duplicate audiences",
    create: token("audiences-duplicate", { serviceUser: OWNER, audiences: ["scim", "scim"] }),
    message: /spec\.audiences\[1\]: Duplicate value: "scim"/,
  },
  {
    name: "tokenHash together with secretName",
    create: token("hash-and-secret", { serviceUser: OWNER, tokenHash: HASH_A, secretName: "x" }),
    message: /spec\.secretName: Invalid value: .*cannot be set together with spec\.tokenHash/,
  },
  // ServiceToken: updates of immutable fields
  {
    name: "changing serviceUser",
    create: token("change-service-user", { serviceUser: OWNER }),
    update: withSpec({ serviceUser: "someone-else" }),
    message: immutable("serviceUser"),
  },
  {
    name: "changing expiresInDays",
    create: token("change-expires", { serviceUser: OWNER, expiresInDays: 30 }),
    update: withSpec({ expiresInDays: 60 }),
    message: immutable("expiresInDays"),
  },
  {
    name: "adding expiresInDays",
    create: token("add-expires", { serviceUser: OWNER }),
    update: withSpec({ expiresInDays: 30 }),
    message: fixedPresence("expiresInDays"),
  },
  {
    name: "removing expiresInDays",
    create: token("remove-expires", { serviceUser: OWNER, expiresInDays: 30 }),
    update: withSpec({ expiresInDays: undefined }),
    message: fixedPresence("expiresInDays"),
  },
  {
    name: "changing audiences",
    create: token("change-audiences", { serviceUser: OWNER, audiences: ["scim"] }),
    update: withSpec({ audiences: ["scim", "billing"] }),
    message: immutable("audiences"),
  },
  {
    name: "removing audiences",
    create: token("remove-audiences", { serviceUser: OWNER, audiences: ["scim"] }),
    update: withSpec({ audiences: undefined }),
    message: fixedPresence("audiences"),
  },
  {
    name: "adding audiences",
    create: token("add-audiences", { serviceUser: OWNER }),
    update: withSpec({ audiences: ["scim"] }),
    message: fixedPresence("audiences"),
  },
  {
    name: "changing secretName",
    create: token("change-secret", { serviceUser: OWNER, secretName: "first-secret" }),
    update: withSpec({ secretName: "second-secret" }),
    message: immutable("secretName"),
  },
  {
    name: "adding secretName",
    create: token("add-secret", { serviceUser: OWNER }),
    update: withSpec({ secretName: "late-secret" }),
    message: fixedPresence("secretName"),
  },
  {
    name: "removing secretName",
    create: token("remove-secret", { serviceUser: OWNER, secretName: "first-secret" }),
    update: withSpec({ secretName: undefined }),
    message: fixedPresence("secretName"),
  },
  {
    name: "a rotation every 0 days",
    create: token("rotate-zero", { serviceUser: OWNER, rotation: { everyDays: 0 } }),
    message: /spec\.rotation\.everyDays: Invalid value: 0: .*greater than or equal to 1/,
  },
  {
    name: "an overlap longer than a week",
    create: token("overlap-long", { serviceUser: OWNER, rotation: { overlapMinutes: 10081 } }),
    message: /spec\.rotation\.overlapMinutes: Invalid value: 10081: .*less than or equal to 10080/,
  },
  {
    name: "a rotation schedule on a client-generated token",
    create: token("hash-every", {
      serviceUser: OWNER,
      tokenHash: HASH_A,
      rotation: { everyDays: 30 },
    }),
    message: /spec\.rotation: Invalid value: .*cannot be set together with spec\.tokenHash/,
  },
  {
    name: "adding tokenHash",
    create: token("add-hash", { serviceUser: OWNER }),
    update: withSpec({ tokenHash: HASH_A }),
    message: fixedPresence("tokenHash"),
  },
  {
    name: "removing tokenHash",
    create: token("remove-hash", { serviceUser: OWNER, tokenHash: HASH_A }),
    update: withSpec({ tokenHash: undefined }),
    message: fixedPresence("tokenHash"),
  },
];

export const VALID_UPDATES: ValidUpdate[] = [
  {
    name: "revoking a token whose immutable fields are all set",
    create: token("revoke-full", {
      serviceUser: OWNER,
      expiresInDays: 30,
      audiences: ["scim"],
      secretName: "revoke-full-secret",
    }),
    update: withSpec({ revoked: true }),
  },
  {
    name: "rotating a client-generated token: a new tokenHash and overlap",
    create: token("rotate-hash", { serviceUser: OWNER, tokenHash: HASH_A }),
    update: withSpec({ tokenHash: HASH_B, rotation: { overlapMinutes: 5 } }),
  },
  {
    name: "restoring a client-generated token and changing its description",
    create: token("restore-hash", { serviceUser: OWNER, tokenHash: HASH_A, revoked: true }),
    update: withSpec({ revoked: false, description: "restored" }),
  },
  {
    name: "changing a ServiceUser's role and teams, and deactivating it",
    create: user("valid-role-change", { role: "Member", teams: ["a"] }),
    update: withSpec({ role: "Admin", teams: ["a", "b"], active: false }),
  },
];
