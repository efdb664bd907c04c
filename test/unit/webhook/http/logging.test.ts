// A token value never reaches the log, whatever path it travels; authentications are
// attributed to the Service User and the token (by its public id).
import { describe, expect, it } from "vitest";
import { admissionRequest } from "../admission/fixtures.ts";
import { issue, serviceToken, serviceUser } from "../fixtures.ts";
import { admissionReview, call, postJson, harnessForFile, tokenReview } from "./http-harness.ts";

const ci = serviceToken("ci");
const revoked = serviceToken("old", { revoked: true });
const ciToken = issue(ci);
const revokedToken = issue(revoked);
const secrets = [ciToken.value, revokedToken.value];

const t = harnessForFile(
  {
    users: [serviceUser("ci-bot")],
    tokens: [ci, revoked],
    records: [ciToken.record, revokedToken.record],
    logLevel: "trace",
  },
  async (t) => {
    // Every way a token can reach the service, valid or not, well-formed request or not.
    for (const value of secrets) {
      await postJson(t.h, t.pki, "/authenticate", tokenReview(value));
      await postJson(t.h, t.pki, "/authenticate", tokenReview(value, ["scim"]));
      await call(t.h, t.pki, { path: "/verify", headers: { Authorization: `Bearer ${value}` } });
      await call(t.h, t.pki, {
        path: `/verify?audience=${value}`,
        headers: { Authorization: `Bearer ${value}` },
      });
      await call(t.h, t.pki, { path: "/verify", headers: { Authorization: `Token ${value}` } });
      await call(t.h, t.pki, {
        method: "POST",
        path: "/authenticate",
        headers: { "Content-Type": "application/json" },
        body: `{"spec":{"token":"${value}"`, // truncated: a JSON parse error quotes the body
      });
      await postJson(t.h, t.pki, "/authenticate", {
        kind: "TokenReview",
        spec: { token: [value] },
      });
      await call(t.h, t.pki, {
        method: "POST",
        path: "/authenticate",
        headers: { "Content-Type": "text/plain" },
        body: value,
      });
      const create = admissionRequest("CREATE", "servicetokens", {
        object: { ...serviceToken("new"), spec: { serviceUser: "ci-bot", description: value } },
      });
      await postJson(t.h, t.pki, "/validate", admissionReview(create));
      await call(t.h, t.pki, { path: `/nowhere/${value}` });
    }
  },
);

describe("logging", () => {
  it("logged at all (the test captures real output)", () => {
    expect(t.h.logLines.length).toBeGreaterThan(10);
  });

  it("never contains a token value", () => {
    const all = t.h.logLines.join("\n");
    for (const value of secrets) expect(all).not.toContain(value);
  });

  it("never hands the scrubber a presented token, only fields a caller chose", () => {
    // src/log.ts scrubs token-shaped text as a safety net. The webhook itself never logs a
    // presented credential; only echoed audiences (chosen by the caller, here a token) need it.
    const scrubbed = t.h.logLines
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .filter((entry) => JSON.stringify(entry).includes("[REDACTED-TOKEN]"));
    expect(scrubbed.length).toBeGreaterThan(0);
    for (const entry of scrubbed) {
      const { audiences: _audiences, ...rest } = entry;
      expect(JSON.stringify(rest)).not.toContain("[REDACTED-TOKEN]");
    }
  });

  it("attributes each success to its Service User and token id", () => {
    const successes = t.h.logLines
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .filter((entry) => entry.msg === "token authenticated");
    expect(successes.length).toBeGreaterThan(0);
    for (const entry of successes) {
      expect(entry).toMatchObject({
        serviceUser: "ci-bot",
        serviceToken: "prod/ci",
        tokenId: ciToken.tokenId,
      });
    }
  });

  it("names the refused token by id (a revoked one), not by value", () => {
    const refusals = t.h.logLines
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .filter((entry) => entry.msg === "token refused" && entry.reason === "revoked");
    expect(refusals.length).toBeGreaterThan(0);
    expect(refusals[0]).toMatchObject({ tokenId: revokedToken.tokenId, serviceToken: "prod/old" });
  });
});
