// The CRDs refuse bad input at the door: every case of invalid-cases.ts against the real API
// server, each its own test, and the updates the immutability rules must let through.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SERVICE_USER_KIND } from "../../../src/api/index.ts";
import { newNamespace } from "../support/cluster.ts";
import { installCrds } from "../support/operator.ts";
import { Api, type TestObject } from "../support/resources.ts";
import { INVALID_CASES, VALID_UPDATES, type InvalidCase, type Manifest } from "./invalid-cases.ts";
import { objectPath, placedIn, rejectionOf } from "./support.ts";

// No admission webhook runs in this file: the CRD schemas alone must refuse these.
describe("API server validation of ServiceUsers and ServiceTokens", () => {
  const api = new Api();
  let namespace: string;

  const pathOf = (manifest: Manifest, name?: string): string =>
    objectPath(manifest.kind, { namespace, ...(name === undefined ? {} : { name }) });
  const create = async (manifest: Manifest): Promise<Manifest> =>
    api.rest.request<Manifest>("POST", pathOf(manifest), placedIn(manifest, namespace));
  const replace = async (next: Manifest): Promise<Manifest> =>
    api.rest.request<Manifest>("PUT", pathOf(next, next.metadata.name), next);
  const read = async (manifest: Manifest): Promise<TestObject> =>
    api.rest.request<TestObject>("GET", pathOf(manifest, manifest.metadata.name));

  beforeAll(async () => {
    await installCrds();
    namespace = await newNamespace("api-validation");
  });

  afterAll(async () => {
    // ServiceUsers are cluster-scoped: remove any this file created (or that a wrongly
    // accepted case left behind). Tokens go with the namespace.
    const users = [...INVALID_CASES, ...VALID_UPDATES]
      .map((testCase) => testCase.create)
      .filter((manifest) => manifest.kind === SERVICE_USER_KIND);
    await Promise.all(users.map((user) => api.delete(pathOf(user, user.metadata.name))));
    if (namespace) await api.delete(`/api/v1/namespaces/${namespace}`);
  });

  it("has a table of at least 20 cases, each with a message that names a spec field", () => {
    expect(INVALID_CASES.length).toBeGreaterThanOrEqual(20);
    for (const { name, message } of INVALID_CASES) {
      expect(message.source, name).toMatch(/^spec(\\\.|:)/);
    }
    const names = INVALID_CASES.map((testCase) => testCase.name);
    expect(new Set(names).size).toBe(names.length);
  });

  const creates = INVALID_CASES.filter((testCase) => testCase.update === undefined);
  const updates = INVALID_CASES.filter(
    (testCase): testCase is Required<InvalidCase> => testCase.update !== undefined,
  );

  it.each(creates)("refuses to create $name", async ({ create: manifest, message }) => {
    const error = await rejectionOf(create(manifest));
    expect(error.status, error.message).toBe(422);
    expect(error.reason).toBe("Invalid");
    expect(error.message).toMatch(message);
  });

  it.each(updates)("refuses $name", async ({ create: manifest, update, message }) => {
    const created = await create(manifest);
    const error = await rejectionOf(replace(update(created)));
    expect(error.status, error.message).toBe(422);
    expect(error.reason).toBe("Invalid");
    expect(error.message).toMatch(message);
    // Refused means nothing changed.
    expect((await read(manifest)).spec).toEqual(created.spec);
  });

  it.each(VALID_UPDATES)("allows $name", async ({ create: manifest, update }) => {
    const created = await create(manifest);
    const wanted = update(created);
    const replaced = await replace(wanted);
    expect(replaced.spec).toEqual(wanted.spec);
    expect((await read(manifest)).spec).toEqual(wanted.spec);
  });
});
