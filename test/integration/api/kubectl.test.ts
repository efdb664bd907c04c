// The API as a person meets it in a terminal: `kubectl explain` teaches the fields from the
// zod descriptions, `kubectl get` prints the product's columns, short names and the category
// work.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  SERVICE_TOKEN_KIND,
  SERVICE_USER_KIND,
  ServiceTokenSpecSchema,
  ServiceUserSpecSchema,
} from "../../../src/api/index.ts";
import { eventually, newNamespace, uniqueSuffix } from "../support/cluster.ts";
import { installCrds } from "../support/operator.ts";
import { Api } from "../support/resources.ts";
import {
  adminKubectl,
  adminKubectlOk,
  headerColumns,
  objectPath,
  oneLine,
  tableRows,
} from "./support.ts";

const DAY_MS = 24 * 60 * 60 * 1000;

interface OpenApiSchema {
  description?: string;
  properties?: Record<string, OpenApiSchema>;
  items?: OpenApiSchema;
  allOf?: OpenApiSchema[];
}

/** Every field under `schema` (and `schema` itself), and whether it has a description. */
function fields(schema: OpenApiSchema, path: string): { path: string; described: boolean }[] {
  // metadata is `allOf: [ObjectMeta]`, described by Kubernetes itself.
  const own = { path, described: Boolean(schema.description) || schema.allOf !== undefined };
  const properties = Object.entries(schema.properties ?? {}).flatMap(([name, field]) =>
    fields(field, `${path}.${name}`),
  );
  const items = schema.items ? fields(schema.items, `${path}[]`) : [];
  return [own, ...properties, ...items];
}

describe("svctokens in kubectl", () => {
  const api = new Api();
  const suffix = uniqueSuffix();
  const user = `kubectl-${suffix}`;
  let namespace: string;
  const lastUsedAt = new Date(Date.now() - 5 * DAY_MS - 30 * 60_000).toISOString();
  const expiresAt = "2031-01-02T03:04:05Z";

  // The CRDs are served at once, but their OpenAPI (what explain reads) follows a little later.
  const explain = async (field: string): Promise<string> =>
    eventually(`kubectl explain ${field}`, async () => {
      const result = await adminKubectl(["explain", field]);
      return result.code === 0 ? result.stdout : undefined;
    });
  const statusPatch = async (path: string, status: object): Promise<unknown> =>
    api.rest.request("PATCH", path, { status }, "application/merge-patch+json");

  beforeAll(async () => {
    await installCrds();
    namespace = await newNamespace("api-kubectl");
    await api.createUser(user, { role: "Admin", teams: ["platform", "shop"] });
    await statusPatch(objectPath(SERVICE_USER_KIND, { name: user, subresource: "status" }), {
      teamsDisplay: "platform,shop",
      phase: "Active",
      activeTokens: 1,
      lastUsedAt,
    });
    // One token with the status the controller would write, one that has none yet.
    await api.createToken(namespace, "deploy", { serviceUser: user, expiresInDays: 90 });
    await statusPatch(
      objectPath(SERVICE_TOKEN_KIND, { namespace, name: "deploy", subresource: "status" }),
      {
        phase: "Active",
        tokenId: "0123456789abcdef",
        expiresAt,
        expiresIn: "29d",
        lastUsedAt,
        audiencesDisplay: "any",
      },
    );
    await api.createToken(namespace, "fresh", {
      serviceUser: user,
      audiences: ["scim", "https://api.example.com"],
    });
    await statusPatch(
      objectPath(SERVICE_TOKEN_KIND, { namespace, name: "fresh", subresource: "status" }),
      { audiencesDisplay: "scim,https://api.example.com" },
    );
  });

  afterAll(async () => {
    await api.delete(objectPath(SERVICE_USER_KIND, { name: user }));
    if (namespace) await api.delete(`/api/v1/namespaces/${namespace}`);
  });

  it("explains servicetoken.spec.expiresInDays with its zod description", async () => {
    const output = await explain("servicetoken.spec.expiresInDays");
    expect(output).toMatch(/^KIND:\s+ServiceToken$/m);
    expect(output).toMatch(/^FIELD:\s+expiresInDays <integer>$/m);
    const description = ServiceTokenSpecSchema.shape.expiresInDays.description ?? "";
    expect(description).toMatch(/1-365/);
    expect(oneLine(output)).toContain(oneLine(description));
  });

  it("explains serviceuser.spec.role with its zod description and its values", async () => {
    const output = await explain("serviceuser.spec.role");
    expect(output).toMatch(/^KIND:\s+ServiceUser$/m);
    expect(output).toMatch(/^FIELD:\s+role <string>$/m);
    expect(oneLine(output)).toMatch(/ENUM: Admin Manager Member/);
    const description = ServiceUserSpecSchema.shape.role.description ?? "";
    expect(description).toMatch(/Admin/);
    expect(oneLine(output)).toContain(oneLine(description));
  });

  it.each([SERVICE_USER_KIND, SERVICE_TOKEN_KIND])(
    "publishes a description for every field of %s (what explain prints)",
    async (kind) => {
      const openApi = await eventually("the svctokens OpenAPI v3 document", async () =>
        api.rest.request<{ components: { schemas: Record<string, OpenApiSchema> } }>(
          "GET",
          "/openapi/v3/apis/svctokens.dev/v1alpha1",
        ),
      );
      const schema = openApi.components.schemas[`dev.svctokens.v1alpha1.${kind}`];
      expect(schema?.properties).toHaveProperty("spec.properties");
      expect(schema?.properties).toHaveProperty("status.properties");
      const all = fields(schema ?? {}, kind);
      expect(all.map((field) => field.path)).toContain(`${kind}.status.conditions[].reason`);
      expect(all.filter((field) => !field.described).map((field) => field.path)).toEqual([]);
    },
  );

  it("lists tokens of all namespaces with the product's columns", async () => {
    const output = await adminKubectlOk(["get", "st", "-A"]);
    expect(headerColumns(output)).toEqual([
      "NAMESPACE",
      "NAME",
      "USER",
      "STATUS",
      "EXPIRES",
      "LAST USED",
      "AGE",
    ]);
    const rows = tableRows(output).filter((row) => row.NAMESPACE === namespace);
    expect(rows).toEqual([
      expect.objectContaining({
        NAME: "deploy",
        USER: user,
        STATUS: "Active",
        EXPIRES: "29d",
        "LAST USED": "5d",
      }),
      // Missing values print as empty cells.
      expect.objectContaining({ NAME: "fresh", USER: user, STATUS: "", EXPIRES: "" }),
    ]);
    expect(rows[1]?.["LAST USED"]).toBe("");
  });

  it("shows EXPIRES AT, TOKEN ID, AUDIENCES and PREVIOUS UNTIL with -o wide", async () => {
    const output = await adminKubectlOk(["get", "st", "-n", namespace, "-o", "wide"]);
    expect(headerColumns(output).slice(-4)).toEqual([
      "EXPIRES AT",
      "TOKEN ID",
      "AUDIENCES",
      "PREVIOUS UNTIL",
    ]);
    const [deploy, fresh] = tableRows(output);
    expect(deploy?.["EXPIRES AT"]).toBe(expiresAt);
    expect(deploy?.["TOKEN ID"]).toBe("0123456789abcdef");
    // Readable lists, not JSON: the controller's comma-joined status.audiencesDisplay.
    expect(deploy?.AUDIENCES).toBe("any");
    expect(fresh?.AUDIENCES).toBe("scim,https://api.example.com");
  });

  it("lists users with NAME, ROLE, STATUS, ACTIVE TOKENS, LAST USED, AGE", async () => {
    const output = await adminKubectlOk(["get", "su"]);
    expect(headerColumns(output)).toEqual([
      "NAME",
      "ROLE",
      "STATUS",
      "ACTIVE TOKENS",
      "LAST USED",
      "AGE",
    ]);
    expect(tableRows(output).find((row) => row.NAME === user)).toMatchObject({
      ROLE: "Admin",
      STATUS: "Active",
      "ACTIVE TOKENS": "1",
      "LAST USED": "5d",
    });
  });

  it("shows USERNAME and TEAMS (comma-separated) with -o wide", async () => {
    const output = await adminKubectlOk(["get", "su", user, "-o", "wide"]);
    expect(headerColumns(output).slice(-2)).toEqual(["USERNAME", "TEAMS"]);
    expect(tableRows(output)[0]).toMatchObject({ NAME: user, TEAMS: "platform,shop" });
  });

  it("knows the short names st and su", async () => {
    expect(await adminKubectlOk(["get", "st", "-n", namespace, "-o", "name"])).toBe(
      "servicetoken.svctokens.dev/deploy\nservicetoken.svctokens.dev/fresh\n",
    );
    expect(await adminKubectlOk(["get", "su", user, "-o", "name"])).toBe(
      `serviceuser.svctokens.dev/${user}\n`,
    );
  });

  it("lists both kinds under the category svctokens", async () => {
    const names = (await adminKubectlOk(["get", "svctokens", "-n", namespace, "-o", "name"]))
      .trim()
      .split("\n");
    expect(names).toEqual(
      expect.arrayContaining([
        "servicetoken.svctokens.dev/deploy",
        "servicetoken.svctokens.dev/fresh",
        `serviceuser.svctokens.dev/${user}`,
      ]),
    );
    expect(names.every((name) => /^(servicetoken|serviceuser)\.svctokens\.dev\//.test(name))).toBe(
      true,
    );
  });
});
