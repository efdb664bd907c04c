// deploy/monitoring, the kustomize Component: it renders on top of the base (kubectl
// kustomize), names only metrics the code exports, and its alerts pass Prometheus' own
// `promtool check rules` and `promtool test rules` (built from the Go module proxy by
// hack/tools/build.sh) with a firing and a quiet case for each. No cluster needed.
import { execFile } from "node:child_process";
import { copyFile, mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse, parseAllDocuments, stringify } from "yaml";
import type { KubeObject } from "../../../src/k8s/object.ts";
import { gitopsTools, runTool, type ToolResult } from "../../integration/support/gitops-tools.ts";

const root = fileURLToPath(new URL("../../../", import.meta.url));
const PROMTOOL_TESTS = fileURLToPath(new URL("monitoring-alerts.promtool.yaml", import.meta.url));

interface RuleGroup {
  name: string;
  rules: { alert?: string; expr: string }[];
}

let dir: string;
let rendered: KubeObject[];
let groups: RuleGroup[];

async function kustomize(path: string): Promise<KubeObject[]> {
  const text = await new Promise<string>((resolve, reject) => {
    execFile("kubectl", ["kustomize", path], { maxBuffer: 16 << 20 }, (error, stdout, stderr) =>
      error ? reject(new Error(`kubectl kustomize failed: ${stderr}`)) : resolve(stdout),
    );
  });
  return parseAllDocuments(text).map((document) => document.toJS() as KubeObject);
}

const named = (kind: string, name: string): KubeObject | undefined =>
  rendered.find((object) => object.kind === kind && object.metadata?.name === name);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "svctokens-monitoring-"));
  // An overlay as the README tells users to write it: the base plus the component.
  await writeFile(
    join(dir, "kustomization.yaml"),
    stringify({
      apiVersion: "kustomize.config.k8s.io/v1beta1",
      kind: "Kustomization",
      resources: [relative(dir, join(root, "deploy/manifests"))],
      components: [relative(dir, join(root, "deploy/monitoring"))],
    }),
  );
  rendered = await kustomize(dir);
  const rule = named("PrometheusRule", "svctokens");
  groups = ((rule?.spec ?? {}) as { groups?: RuleGroup[] }).groups ?? [];
  // promtool reads plain rule files: the PrometheusRule's spec.groups, beside the test cases.
  await writeFile(join(dir, "rules.yaml"), stringify({ groups }));
  await copyFile(PROMTOOL_TESTS, join(dir, "alerts.promtool.yaml"));
}, 60_000);

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("deploy/monitoring (a kustomize Component)", () => {
  it("adds the rules, a ServiceMonitor per process and the dashboard to the base", () => {
    expect(named("Deployment", "svctokens-controller")).toBeDefined();
    expect(groups.flatMap((group) => group.rules.map((rule) => rule.alert)).sort()).toEqual([
      "SvctokensAuthenticationFailureBurst",
      "SvctokensCachesNotSynced",
      "SvctokensControllerDown",
      "SvctokensNoControllerLeader",
      "SvctokensTokenExpiringSoon",
      "SvctokensUnusedTokens",
      "SvctokensWebhookDown",
    ]);
    for (const name of ["svctokens-controller", "svctokens-webhook"]) {
      const monitor = named("ServiceMonitor", name);
      expect(monitor?.metadata?.namespace).toBe("svctokens-system");
      expect((monitor?.spec as { endpoints: { port: string }[] }).endpoints[0]?.port).toBe(
        "metrics",
      );
    }
    const dashboard = named("ConfigMap", "svctokens-grafana-dashboard");
    expect(dashboard?.metadata?.labels?.grafana_dashboard).toBe("1");
    const text = String((dashboard?.data as Record<string, string>)["svctokens.json"]);
    const json = JSON.parse(text) as { panels: { title: string }[] };
    const titles = json.panels.map((panel) => panel.title);
    expect(titles).toEqual(
      expect.arrayContaining([
        "Authentications by result and endpoint",
        "Authentication latency",
        "Tokens by phase",
        "Expiry horizon",
      ]),
    );
  });

  it("is not in the base: the base needs no Prometheus Operator", async () => {
    const base = await kustomize(join(root, "deploy/manifests"));
    expect(base.map((object) => object.kind)).not.toContain("PrometheusRule");
    expect(base.map((object) => object.kind)).not.toContain("ServiceMonitor");
  });

  it("names only metrics the processes export", async () => {
    const sources = await metricSources();
    const monitoring = ["PrometheusRule", "ServiceMonitor", "ConfigMap"];
    const text = JSON.stringify(
      rendered.filter((object) => monitoring.includes(object.kind ?? "")),
    );
    const used = new Set(
      [...text.matchAll(/\bsvctokens_[a-z_]+/g)].map(([name]) =>
        name.replace(/_(bucket|count|sum)$/, ""),
      ),
    );
    expect(used.size).toBeGreaterThan(8);
    for (const name of used) expect(sources, name).toContain(`"${name}"`);
  });
});

describe("the alerts under promtool", () => {
  let promtool: string;
  const run = (args: string[]): Promise<ToolResult> => runTool(promtool, args);

  beforeAll(async () => {
    promtool = (await gitopsTools()).promtool;
  }, 1_200_000);

  it("pass `promtool check rules`", async () => {
    const result = await run(["check", "rules", join(dir, "rules.yaml")]);
    expect(result.stderr + result.stdout).toContain("SUCCESS: 7 rules found");
    expect(result.code).toBe(0);
  });

  it("pass `promtool test rules`: a firing and a quiet case for every alert", async () => {
    const cases = parse(await readFile(PROMTOOL_TESTS, "utf8")) as {
      tests: { alert_rule_test: { alertname: string; exp_alerts: unknown[] }[] }[];
    };
    const checks = cases.tests.flatMap((test) => test.alert_rule_test);
    for (const alert of groups.flatMap((group) => group.rules.map((rule) => rule.alert))) {
      const mine = checks.filter((check) => check.alertname === alert);
      expect(
        mine.some((check) => check.exp_alerts.length > 0),
        `${alert} fires`,
      ).toBe(true);
      expect(
        mine.some((check) => check.exp_alerts.length === 0),
        `${alert} stays quiet`,
      ).toBe(true);
    }
    const result = await run(["test", "rules", join(dir, "alerts.promtool.yaml")]);
    expect(result.stdout + result.stderr).toContain("SUCCESS");
    expect(result.code).toBe(0);
  });

  it("fail when a threshold is wrong (the tests can fail)", async () => {
    const broken = groups.map((group) => ({
      ...group,
      rules: group.rules.map((rule) => ({
        ...rule,
        expr: rule.expr.replace("7 * 86400", "9 * 86400"),
      })),
    }));
    await writeFile(join(dir, "rules.yaml"), stringify({ groups: broken }));
    try {
      const result = await run(["test", "rules", join(dir, "alerts.promtool.yaml")]);
      expect(result.code).not.toBe(0);
      expect(result.stdout + result.stderr).toContain("SvctokensTokenExpiringSoon");
    } finally {
      await writeFile(join(dir, "rules.yaml"), stringify({ groups }));
    }
  });
});

/** The source of every metrics definition: metric names appear there in quotes. */
async function metricSources(): Promise<string> {
  const files = (await readdir(join(root, "src"), { recursive: true })).filter((file) =>
    /(metrics|health-server)\.ts$/.test(file),
  );
  const texts = await Promise.all(files.map((file) => readFile(join(root, "src", file), "utf8")));
  return texts.join("\n");
}
