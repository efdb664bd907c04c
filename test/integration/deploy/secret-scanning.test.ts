// Secret scanning (issue 15): gitleaks, with the rule shipped in deploy/scanning/gitleaks.toml,
// finds real tokens — generated here by the project's own generator, never committed — in every
// place one leaks to (a bare line, `kubectl --token`, an env file, a Secret's stringData and
// base64 data, JSON, a kubeconfig, an HTTP header) and no look-alike. A wrong checksum is
// beyond a regular expression: gitleaks reports it, scripts/check-tokens.ts tells it apart.
// The reports are redacted (--redact): no token value reaches the test output.
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateToken, hashToken, tokenIdFromHash } from "../../../src/tokens/index.ts";
import { gitopsTools, runTool, type GitopsTools } from "../support/gitops-tools.ts";
import { deployPath } from "./deploy-support.ts";

const RULE = "svctokens-token";
const repoPath = (path: string): string =>
  fileURLToPath(new URL(`../../../${path}`, import.meta.url));

/** A file in which a token leaks, and the text that appears in it (the token, or its base64). */
interface Placement {
  file: string;
  content: (token: string) => string;
  shown?: (token: string) => string;
}

const PLACEMENTS: Placement[] = [
  { file: "token.txt", content: (t) => `${t}\n` },
  { file: "deploy.sh", content: (t) => `#!/bin/sh\nkubectl --token ${t} get pods\n` },
  {
    file: "ci.env",
    content: (t) => `SVCTOKENS_SERVER=https://example.test\nSVCTOKENS_TOKEN=${t}\n`,
  },
  {
    file: "secret.yaml",
    content: (t) =>
      `apiVersion: v1\nkind: Secret\nmetadata:\n  name: ci-token\nstringData:\n  token: ${t}\n`,
  },
  {
    file: "secret-data.yaml",
    content: (t) =>
      `apiVersion: v1\nkind: Secret\nmetadata:\n  name: ci-token\ndata:\n  token: ${base64(t)}\n`,
    shown: base64,
  },
  {
    file: "settings.json",
    content: (t) => `{\n  "server": "https://example.test",\n  "token": "${t}"\n}\n`,
  },
  {
    file: "kubeconfig",
    content: (t) =>
      `apiVersion: v1\nkind: Config\nusers:\n  - name: ci\n    user:\n      token: ${t}\n`,
  },
  { file: "request.http", content: (t) => `GET /verify HTTP/1.1\nAuthorization: Bearer ${t}\n` },
];

function base64(text: string): string {
  return Buffer.from(text).toString("base64");
}

/** 1-based line and column of the first occurrence of `needle`. */
function positionOf(text: string, needle: string): { line: number; column: number } {
  const before = text.slice(0, text.indexOf(needle)).split("\n");
  return { line: before.length, column: (before.at(-1)?.length ?? 0) + 1 };
}

/** The same token with the last checksum digit changed: its shape is right, its CRC32 is not. */
function withWrongChecksum(token: string): string {
  return token.slice(0, -1) + (token.endsWith("0") ? "1" : "0");
}

/** Strings shaped almost like a token, one a line; none is a token, none may be reported. */
function lookAlikes(token: string): string[] {
  const rest = token.slice(5);
  return [
    `svcx_${rest}`, // another prefix
    `SVCT_${rest}`, // the prefix is case-sensitive
    token.slice(0, -1), // one character short
    `${token}0`, // one character long
    `${token.slice(0, 30)}-${token.slice(31)}`, // a character outside base62
    `svct_${"x".repeat(49)}`, // a placeholder: right shape, no randomness (entropy floor)
    `svct_${"0123456789".repeat(5).slice(0, 49)}`, // a made-up example, few distinct characters
  ];
}

interface GitleaksFinding {
  RuleID: string;
  File: string;
  StartLine: number;
  StartColumn: number;
  Secret: string;
}

describe("gitleaks with deploy/scanning/gitleaks.toml", () => {
  let tools: GitopsTools;
  let dir: string;
  const tokens = new Map(PLACEMENTS.map((placement) => [placement.file, generateToken()]));
  const realToken = generateToken();

  async function gitleaks(path: string, only = false): Promise<GitleaksFinding[]> {
    const args = ["dir", path, "--config", deployPath("scanning/gitleaks.toml")];
    args.push("--redact", "--no-banner", "--log-level", "error", "--exit-code", "0");
    args.push("--gitleaks-ignore-path", dir, "--report-format", "json", "--report-path", "-");
    if (only) args.push("--enable-rule", RULE);
    const result = await runTool(tools.gitleaks, args);
    expect(result.code, result.stderr).toBe(0);
    return JSON.parse(result.stdout) as GitleaksFinding[];
  }

  beforeAll(async () => {
    tools = await gitopsTools();
    dir = await mkdtemp(join(tmpdir(), "svctokens-gitleaks-"));
    for (const placement of PLACEMENTS) {
      await writeFile(
        join(dir, placement.file),
        placement.content(tokens.get(placement.file) ?? ""),
      );
    }
    await writeFile(join(dir, "look-alikes.txt"), `${lookAlikes(realToken).join("\n")}\n`);
    await writeFile(join(dir, "wrong-checksum.txt"), `${withWrongChecksum(realToken)}\n`);
  });

  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("finds the token in every placement, where it is; no look-alike; a wrong checksum too (regex limit)", async () => {
    const findings = (await gitleaks(dir)).filter((finding) => finding.RuleID === RULE);
    expect(findings.every((finding) => finding.Secret === "REDACTED")).toBe(true);
    const found = findings
      .map(({ File, StartLine, StartColumn }) => ({
        file: basename(File),
        line: StartLine,
        // gitleaks counts the newline before a match on any line but the first in its column.
        column: StartLine > 1 ? StartColumn - 1 : StartColumn,
      }))
      .sort((a, b) => a.file.localeCompare(b.file));
    const expected = PLACEMENTS.map(({ file, content, shown }) => {
      const token = tokens.get(file) ?? "";
      return { file, ...positionOf(content(token), (shown ?? ((t: string) => t))(token)) };
    });
    expected.push({ file: "wrong-checksum.txt", line: 1, column: 1 });
    expect(found).toEqual(expected.sort((a, b) => a.file.localeCompare(b.file)));
  });

  it("scripts/check-tokens.ts tells the real tokens from the wrong checksum, printing no value", async () => {
    const files = [...PLACEMENTS.filter((p) => !p.shown).map((p) => p.file), "wrong-checksum.txt"];
    const result = await new Promise<{ code: number; stdout: string }>((resolve) => {
      const script = repoPath("scripts/check-tokens.ts");
      execFile(process.execPath, [script, ...files], { cwd: dir }, (error, stdout) => {
        resolve({ code: error ? Number(error.code) : 0, stdout });
      });
    });
    expect(result.code).toBe(1);
    const verdicts = result.stdout.trim().split("\n").sort();
    const expected = PLACEMENTS.filter((p) => !p.shown).map(({ file, content }) => {
      const token = tokens.get(file) ?? "";
      const { line, column } = positionOf(content(token), token);
      return `${file}:${line}:${column}: token ${tokenIdFromHash(hashToken(token))}`;
    });
    expected.push("wrong-checksum.txt:1:1: not a token (checksum)");
    expect(verdicts).toEqual(expected.sort());
  });

  it("finds no token in the repository's docs, README and deploy/ (examples are placeholders)", async () => {
    for (const path of ["README.md", "docs", "deploy"]) {
      expect(await gitleaks(repoPath(path), true), path).toEqual([]);
    }
  });

  it("docs/token-format.md shows the rule as shipped", () => {
    const shipped = readFileSync(deployPath("scanning/gitleaks.toml"), "utf8");
    const rule = shipped.slice(shipped.indexOf("\n[[rules]]\n")).split("\n");
    const documented = readFileSync(repoPath("docs/token-format.md"), "utf8").split("\n");
    const missing = rule.filter((line) => line !== "" && !line.startsWith("tags"));
    expect(missing.filter((line) => !documented.includes(line))).toEqual([]);
  });
});
