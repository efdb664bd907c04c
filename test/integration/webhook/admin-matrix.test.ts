// The Admin matrix through kube-apiserver: every Admin action, tried by two Admins (one by the
// role group, one by a binding to svctokens:admin), by alice (no rights: RBAC refuses her
// before admission) and by a user whom RBAC lets write our objects but who is not an Admin
// (the webhook refuses). Each outcome and each denial's message is asserted, and a denial is
// shown to change nothing.
import { afterAll, beforeAll, expect, it } from "vitest";
import { resourcePath } from "../../../src/k8s/paths.ts";
import { SERVICE_TOKENS, SERVICE_USERS } from "../../../src/api/index.ts";
import { controlPlane, eventually } from "../support/cluster.ts";
import { Api, type TestObject } from "../support/resources.ts";
import { ShiftableClock } from "../support/shiftable-clock.ts";
import { WebhookRun } from "./webhook-run.ts";
import {
  admissionDenial,
  deletedEventually,
  expectForbidden,
  notAdminDenial,
  readObject,
} from "./webhook-support.ts";

const DAY_MS = 24 * 60 * 60 * 1000;
type Actor = "ada" | "bea" | "alice" | "eddie";
const ACTORS: Record<Actor, string> = {
  ada: "an Admin by group svctokens:role:admin",
  bea: "an Admin by a binding to ClusterRole svctokens:admin",
  alice: "alice, who has no rights",
  eddie: "a writer by RBAC who is not an Admin",
};

interface Fixture {
  actor: Actor;
  api: Api;
  username: string;
  /** Owns the token fixtures `<actor>-<kind>`. */
  owner: string;
  /** Has exactly one Active token, `<actor>-busy`. */
  busy: string;
  /** The ServiceUser the actor tries to create. */
  newUser: string;
}

const clock = new ShiftableClock();
const fixtures = {} as Record<Actor, Fixture>;
let run: WebhookRun;
let ns: string;

const name = (f: Fixture, kind: string): string => `${f.actor}-${kind}`;
const ref = (f: Fixture, kind: string): string => `${ns}/${name(f, kind)}`;
const tokenPath = (f: Fixture, kind: string): string =>
  resourcePath(SERVICE_TOKENS, { namespace: ns, name: name(f, kind) });
const userPath = (user: string): string => resourcePath(SERVICE_USERS, { name: user });
const inPhase = (f: Fixture, kind: string, phase: string): Promise<TestObject> =>
  run.admin.tokenWhere(ns, name(f, kind), phase, (t) => t.status?.phase === phase);

const read = (path: string): Promise<TestObject | undefined> => readObject(run.admin, path);
const gone = (path: string): Promise<void> => deletedEventually(run.admin, path);

/** What a denial must leave as it was: the spec, and that nothing is being deleted. */
async function snapshot(path: string): Promise<unknown> {
  const object = await read(path);
  return object && { spec: object.spec, deleting: object.metadata?.deletionTimestamp ?? null };
}

interface Action {
  target(f: Fixture): string;
  act(f: Fixture): Promise<unknown>;
  /** RBAC's verb and resource for alice's denial. */
  rbac: [verb: string, resource: "serviceusers" | "servicetokens"];
  /** How the webhook names the action to a non-Admin. */
  asNonAdmin(f: Fixture): string;
  /** For an Admin: allowed (then this checks the effect), or denied with this message. */
  asAdmin:
    { allowed(f: Fixture): Promise<unknown> } | { denied(f: Fixture): string | Promise<string> };
}

const tokenPatch = (kind: string, revoked: boolean, asAdmin: Action["asAdmin"]): Action => ({
  target: (f) => tokenPath(f, kind),
  act: (f) => f.api.patchToken(ns, name(f, kind), { revoked }),
  rbac: ["patch", "servicetokens"],
  asNonAdmin: (f) => `${revoked ? "Revoking" : "Restoring"} ServiceToken ${ref(f, kind)}`,
  asAdmin,
});
const tokenDelete = (kind: string, asAdmin: Action["asAdmin"]): Action => ({
  target: (f) => tokenPath(f, kind),
  act: (f) => f.api.rest.request("DELETE", tokenPath(f, kind)),
  rbac: ["delete", "servicetokens"],
  asNonAdmin: (f) => `Deleting ServiceToken ${ref(f, kind)}`,
  asAdmin,
});

// In the order they run: "delete an Expired token" comes after its restore was refused.
const ACTIONS: Record<string, Action> = {
  "create a ServiceUser": {
    target: (f) => userPath(f.newUser),
    act: (f) => run.createUser(f.api, f.newUser, { role: "Member" }),
    rbac: ["create", "serviceusers"],
    asNonAdmin: (f) => `Creating ServiceUser ${f.newUser}`,
    asAdmin: { allowed: (f) => eventually("the new user", () => read(userPath(f.newUser))) },
  },
  "create a token": {
    target: (f) => tokenPath(f, "new"),
    act: (f) => run.createToken(f.api, ns, name(f, "new"), { serviceUser: f.owner }),
    rbac: ["create", "servicetokens"],
    asNonAdmin: (f) => `Creating ServiceToken ${ref(f, "new")}`,
    asAdmin: { allowed: (f) => inPhase(f, "new", "Active") },
  },
  "revoke an Active token": tokenPatch("revoke", true, {
    allowed: (f) => inPhase(f, "revoke", "Revoked"),
  }),
  "restore a Revoked token": tokenPatch("restore", false, {
    allowed: (f) => inPhase(f, "restore", "Active"),
  }),
  "delete an Active token": tokenDelete("keep", {
    denied: (f) =>
      `ServiceToken ${ref(f, "keep")} is Active: revoke it (spec.revoked: true) before deleting it`,
  }),
  "delete a Revoked token": tokenDelete("delete", { allowed: (f) => gone(tokenPath(f, "delete")) }),
  "restore an Expired token": tokenPatch("expired", false, {
    denied: async (f) => {
      const expiresAt = String((await read(tokenPath(f, "expired")))?.status?.expiresAt);
      return (
        `ServiceToken ${ref(f, "expired")} expired at ${expiresAt} and cannot be restored: ` +
        "an expired token is never restored; create a new ServiceToken instead"
      );
    },
  }),
  "delete an Expired token": tokenDelete("expired", {
    allowed: (f) => gone(tokenPath(f, "expired")),
  }),
  "deactivate a user with Active tokens": {
    target: (f) => userPath(f.busy),
    act: (f) => f.api.patchUser(f.busy, { active: false }),
    rbac: ["patch", "serviceusers"],
    asNonAdmin: (f) => `Deactivating ServiceUser ${f.busy}`,
    asAdmin: {
      denied: (f) =>
        `ServiceUser ${f.busy} cannot be deactivated while it has Active tokens ` +
        `(${ref(f, "busy")}): revoke them (spec.revoked: true) first`,
    },
  },
  "delete an active user": {
    target: (f) => userPath(f.busy),
    act: (f) => f.api.rest.request("DELETE", userPath(f.busy)),
    rbac: ["delete", "serviceusers"],
    asNonAdmin: (f) => `Deleting ServiceUser ${f.busy}`,
    asAdmin: {
      denied: (f) =>
        `ServiceUser ${f.busy} is active: deactivate it (spec.active: false) before deleting it`,
    },
  },
};

const ROWS = Object.keys(ACTIONS).flatMap((action) =>
  (Object.keys(ACTORS) as Actor[]).map((actor) => [action, ACTORS[actor], actor] as const),
);

beforeAll(async () => {
  // The controller's clock starts two days behind: the 1-day tokens it generates first carry
  // createdAt two days ago, so they expired yesterday in real time too.
  clock.advance(-2 * DAY_MS);
  run = await WebhookRun.start({ clock });
  ns = await run.namespace("admin-matrix");
  const [ada, bea, eddie] = [`ada-${run.run}`, `bea-${run.run}`, `eddie-${run.run}`];
  const people: Record<Actor, [string, Api]> = {
    ada: [ada, await run.person(ada, undefined, ["svctokens:role:admin"])],
    bea: [bea, await run.person(bea, "svctokens:admin")],
    alice: ["alice", new Api(controlPlane().aliceKubeconfig)],
    eddie: [eddie, await run.person(eddie, await run.writerRole())],
  };
  for (const [actor, [username, api]] of Object.entries(people) as [Actor, [string, Api]][]) {
    const [owner = "", busy = "", newUser = ""] = ["mx", "busy", "new"].map(
      (role) => `${role}-${actor}-${run.run}`,
    );
    fixtures[actor] = { actor, api, username, owner, busy, newUser };
    await run.createUser(run.admin, owner, { role: "Member" });
    await run.createUser(run.admin, busy, { role: "Member" });
  }
  const each = (task: (f: Fixture) => Promise<unknown>): Promise<unknown> =>
    Promise.all(Object.values(fixtures).map(task));

  // An Expired token, honestly: the webhook decides expiry with its own (real) clock, from
  // status.expiresAt and the hash record (and it trusts a final Expired phase). Moving only the
  // controller's clock forward would give a token the controller calls Expired whose
  // expiresAt is still tomorrow for everyone else. Generated "two days ago" instead, its
  // expiry lies in the past for the controller and the webhook alike. Revoked first, so that
  // `revoked: false` is a restore.
  await each((f) =>
    run.createToken(run.admin, ns, name(f, "expired"), { serviceUser: f.owner, expiresInDays: 1 }),
  );
  await each((f) => inPhase(f, "expired", "Active"));
  await each((f) => run.admin.patchToken(ns, name(f, "expired"), { revoked: true }));
  await each((f) => inPhase(f, "expired", "Revoked"));
  clock.advance(2 * DAY_MS); // real time again: the expiry timers are past due
  await each(async (f) => {
    const expired = await inPhase(f, "expired", "Expired");
    expect(Date.parse(String(expired.status?.expiresAt))).toBeLessThan(Date.now() - DAY_MS / 2);
  });

  const kinds = ["keep", "revoke", "restore", "delete"];
  await each(async (f) => {
    for (const kind of kinds) {
      await run.createToken(run.admin, ns, name(f, kind), { serviceUser: f.owner });
    }
    await run.createToken(run.admin, ns, name(f, "busy"), { serviceUser: f.busy });
  });
  await each((f) => Promise.all([...kinds, "busy"].map((kind) => inPhase(f, kind, "Active"))));
  await each(async (f) => {
    for (const kind of ["restore", "delete"]) {
      await run.admin.patchToken(ns, name(f, kind), { revoked: true });
      await inPhase(f, kind, "Revoked");
    }
  });
}, 240_000);

afterAll(async () => {
  await run?.stop();
}, 240_000);

it("covers every action for every kind of requester", () => {
  expect(ROWS).toHaveLength(10 * 4);
});

it.each(ROWS)("%s, by %s", async (actionName, _who, actor) => {
  const action = ACTIONS[actionName];
  const f = fixtures[actor];
  if (action === undefined) throw new Error(`no action ${actionName}`);
  const before = await snapshot(action.target(f));
  const expectedDenial =
    actor === "eddie"
      ? notAdminDenial(action.asNonAdmin(f), f.username)
      : actor !== "alice" && "denied" in action.asAdmin
        ? await action.asAdmin.denied(f)
        : undefined;
  const error = await action.act(f).then(
    () => undefined,
    (e: unknown) => e,
  );

  if (actor === "alice") {
    // RBAC refuses before admission is asked: its message, not the webhook's.
    const [verb, resource] = action.rbac;
    const scope = resource === "serviceusers" ? "at the cluster scope" : `in the namespace "${ns}"`;
    expectForbidden(
      error,
      `User "alice" cannot ${verb} resource "${resource}" in API group "svctokens.dev" ${scope}`,
    );
    expect((error as Error).message).not.toContain("admission webhook");
  } else if (expectedDenial !== undefined) {
    expectForbidden(error, admissionDenial(expectedDenial));
  } else {
    expect(error).toBeUndefined();
    if ("allowed" in action.asAdmin) await action.asAdmin.allowed(f);
    return;
  }
  expect(await snapshot(action.target(f))).toEqual(before);
});
