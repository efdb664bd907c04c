// Manifest checks (issue 15): kube-score over everything deploy/ ships (base, overlays, CRDs,
// the Helm chart once it exists), scored for the control plane's Kubernetes version. Every
// finding is either fixed in the manifests or waived with its reason in
// deploy/kube-score-waivers.yaml; the test fails on an unwaived finding and on a waiver that no
// longer matches anything.
import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { controlPlane } from "../support/cluster.ts";
import { gitopsTools, runTool, type GitopsTools } from "../support/gitops-tools.ts";
import { deployPath } from "./deploy-support.ts";
import { renderedSets, type RenderedSet } from "./rendered-sets.ts";

/** One entry of deploy/kube-score-waivers.yaml. */
interface Waiver {
  check: string;
  summaries: string[];
  objects: string[];
  reason: string;
}

/** One comment of one failed check on one object: what a waiver names. */
interface Finding {
  check: string;
  summary: string;
  object: string;
  /** Where it came from and the detail kube-score gives, for the failure message. */
  detail: string;
}

/** kube-score's JSON output (format v2), as far as it is read here. */
type KubeScoreReport = {
  type_meta: { kind: string };
  object_meta: { name: string; namespace?: string };
  checks: {
    check: { id: string };
    grade: number;
    skipped: boolean;
    comments: { path?: string; summary: string; description?: string }[] | null;
  }[];
}[];

const ALL_OK = 10;

function readWaivers(): Waiver[] {
  const file = parse(readFileSync(deployPath("kube-score-waivers.yaml"), "utf8")) as {
    waivers: Waiver[];
  };
  return file.waivers;
}

/** Every comment of every check that did not get full marks, one finding each. */
function findingsOf(report: KubeScoreReport, setName: string): Finding[] {
  return report.flatMap(({ type_meta, object_meta, checks }) => {
    const { namespace, name } = object_meta;
    const object = `${type_meta.kind} ${namespace ? `${namespace}/` : ""}${name}`;
    return checks
      .filter((check) => !check.skipped && check.grade < ALL_OK)
      .flatMap((check) =>
        (check.comments ?? [{ summary: "" }]).map((comment) => ({
          check: check.check.id,
          summary: comment.summary,
          object,
          detail: `${setName}: ${comment.path ?? ""} ${comment.description ?? ""}`.trim(),
        })),
      );
  });
}

const waives = (waiver: Waiver, finding: Finding): boolean =>
  waiver.check === finding.check &&
  waiver.summaries.includes(finding.summary) &&
  waiver.objects.includes(finding.object);

describe("kube-score over deploy/", () => {
  let tools: GitopsTools;
  let sets: RenderedSet[];
  let findings: Finding[];
  const waivers = readWaivers();

  /** kube-score's verdict on one set; its own ignore annotations do not count here. */
  async function kubeScore(set: RenderedSet): Promise<Finding[]> {
    const [major, minor] = controlPlane().kubernetesVersion.replace(/^v/, "").split(".");
    const args = ["score", "--output-format", "json", "--disable-ignore-checks-annotations"];
    args.push("--kubernetes-version", `v${major}.${minor}`, "-");
    const result = await runTool(tools.kubeScore, args, set.yaml);
    // `null` when nothing in the set is a kind kube-score scores (the CRDs alone).
    if (!/^(\[|null)/.test(result.stdout)) throw new Error(`kube-score failed: ${result.stderr}`);
    return findingsOf((JSON.parse(result.stdout) as KubeScoreReport | null) ?? [], set.name);
  }

  beforeAll(async () => {
    tools = await gitopsTools();
    sets = await renderedSets(tools.dir);
    findings = (await Promise.all(sets.map(kubeScore))).flat();
  });

  it("every waiver names a check, the comments, the objects and a reason", () => {
    expect(waivers.length).toBeGreaterThan(0);
    for (const waiver of waivers) {
      expect(waiver.check, JSON.stringify(waiver)).toMatch(/^[a-z-]+$/);
      expect(waiver.summaries.length, waiver.check).toBeGreaterThan(0);
      expect(waiver.objects.length, waiver.check).toBeGreaterThan(0);
      expect(waiver.reason.length, waiver.check).toBeGreaterThan(80);
    }
  });

  it("has no finding that is neither fixed nor waived", () => {
    const unwaived = findings.filter((finding) => !waivers.some((w) => waives(w, finding)));
    expect(unwaived.map((f) => `${f.check} "${f.summary}" on ${f.object} (${f.detail})`)).toEqual(
      [],
    );
  });

  it("has no waiver left over: each waived comment still occurs on each object in the base", () => {
    const base = findings.filter((finding) => finding.detail.startsWith("deploy/manifests:"));
    const occurs = (check: string, summary: string, object: string): boolean =>
      base.some((f) => f.check === check && f.summary === summary && f.object === object);
    const stale = waivers.flatMap(({ check, summaries, objects }) =>
      objects.flatMap((object) =>
        summaries
          .filter((summary) => !occurs(check, summary, object))
          .map((summary) => `${check} "${summary}" on ${object}`),
      ),
    );
    expect(stale).toEqual([]);
  });
});
