// `kubectl auth can-i --list`, parsed: one rule per row, as kubectl prints them.
import { kubectl } from "../support/kubectl.ts";

/** One row of `kubectl auth can-i --list`. */
export interface CanIRule {
  resource: string;
  nonResourceUrls: string[];
  resourceNames: string[];
  verbs: string[];
}

const WRITE_VERBS = new Set([
  "*",
  "create",
  "update",
  "patch",
  "delete",
  "deletecollection",
  "impersonate",
  "bind",
  "escalate",
]);

/**
 * The self-reviews every authenticated user may create (system:basic-user): asking "who am I"
 * and "what may I do" writes nothing.
 */
const SELF_REVIEWS = new Set([
  "selfsubjectreviews.authentication.k8s.io",
  "selfsubjectaccessreviews.authorization.k8s.io",
  "selfsubjectrulesreviews.authorization.k8s.io",
]);

/** The rules kube-apiserver reports for the caller of `args` (e.g. `--token=…`) in `namespace`. */
export async function canIList(
  kubeconfig: string,
  args: string[],
  namespace: string,
): Promise<CanIRule[]> {
  const result = await kubectl(kubeconfig, [...args, "auth", "can-i", "--list", "-n", namespace]);
  if (result.code !== 0) throw new Error(`kubectl auth can-i --list failed: ${result.stderr}`);
  return parseCanIList(result.stdout);
}

/** Parses the table by the header's column positions (the first column may be empty). */
export function parseCanIList(text: string): CanIRule[] {
  const [header = "", ...rows] = text.split("\n");
  const urlsAt = header.indexOf("Non-Resource URLs");
  const namesAt = header.indexOf("Resource Names");
  const verbsAt = header.indexOf("Verbs");
  if (urlsAt < 0 || namesAt < 0 || verbsAt < 0) throw new Error(`unexpected header: ${header}`);
  const list = (cell: string): string[] =>
    cell.trim().replace(/^\[/, "").replace(/\]$/, "").split(" ").filter(Boolean);
  return rows
    .filter((row) => row.trim() !== "")
    .map((row) => ({
      resource: row.slice(0, urlsAt).trim(),
      nonResourceUrls: list(row.slice(urlsAt, namesAt)),
      resourceNames: list(row.slice(namesAt, verbsAt)),
      verbs: list(row.slice(verbsAt)),
    }));
}

/** Rules that allow a write, apart from the self-reviews everyone has. */
export function writeRules(rules: CanIRule[]): CanIRule[] {
  return rules.filter(
    (rule) => !SELF_REVIEWS.has(rule.resource) && rule.verbs.some((verb) => WRITE_VERBS.has(verb)),
  );
}

/** Rules that reach Secrets (or every resource). */
export function secretRules(rules: CanIRule[]): CanIRule[] {
  return rules.filter((rule) => rule.resource === "secrets" || rule.resource.startsWith("*"));
}
