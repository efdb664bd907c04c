import { describe, expect, it } from "vitest";
import { createCertificateAuthority } from "../../../src/tls/pki.ts";
import {
  RENEW_BEFORE_MS,
  needsRenewal,
  serviceDnsNames,
} from "../../../src/tls/self-signed-tls.ts";

const DAY_MS = 24 * 60 * 60 * 1000;

describe("self-signed TLS", () => {
  it("names every way a client can address the Service", () => {
    expect(serviceDnsNames("svctokens-webhook", "svctokens-system")).toEqual([
      "svctokens-webhook",
      "svctokens-webhook.svctokens-system",
      "svctokens-webhook.svctokens-system.svc",
      "svctokens-webhook.svctokens-system.svc.cluster.local",
    ]);
  });

  it("renews a missing, unreadable or nearly expired certificate, and only those", async () => {
    const ca = await createCertificateAuthority("test", 365);
    const serving = await ca.issue({ usage: "server", commonName: "x", dnsNames: ["x"], days: 60 });
    const now = Date.now();
    expect(needsRenewal(undefined, new Date(now))).toBe(true);
    expect(needsRenewal("not a certificate", new Date(now))).toBe(true);
    expect(needsRenewal(serving.certPem, new Date(now))).toBe(false);
    // 60 days of validity, renewal window 30 days: due from day ~30 on.
    expect(RENEW_BEFORE_MS).toBe(30 * DAY_MS);
    expect(needsRenewal(serving.certPem, new Date(now + 29 * DAY_MS))).toBe(false);
    expect(needsRenewal(serving.certPem, new Date(now + 31 * DAY_MS))).toBe(true);
  });
});
