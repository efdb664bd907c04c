// The HTTPS server: certificates reloaded from files, graceful close with in-flight requests.
import { readFile, writeFile } from "node:fs/promises";
import { createCertificateAuthority } from "../../../../src/tls/pki.ts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { admissionRequest } from "../admission/fixtures.ts";
import { serviceUser } from "../fixtures.ts";
import {
  admissionReview,
  call,
  createTestPki,
  postJson,
  removePki,
  startHarness,
  type TestPki,
} from "./http-harness.ts";

let pki: TestPki;

beforeAll(async () => {
  pki = await createTestPki();
});

afterAll(async () => {
  await removePki(pki);
});

describe("WebhookServer", () => {
  it("serves a rotated certificate without a restart, and ignores a mismatched pair", async () => {
    const h = await startHarness({ pki, logLevel: "silent" });
    try {
      const before = (await call(h, pki, { path: "/verify" })).certFingerprint;
      expect(before).toBeDefined();

      const next = await pki.issueServer();
      await writeFile(pki.files.cert, next.certPem); // key not rotated yet: a mismatched pair
      expect(await h.server.reloadTls()).toBe(false);
      expect((await call(h, pki, { path: "/verify" })).certFingerprint).toBe(before);

      await writeFile(pki.files.key, next.keyPem);
      expect(await h.server.reloadTls()).toBe(true);
      const after = await call(h, pki, { path: "/verify" });
      expect(after.status).toBe(401); // no token: the certificate is what counts
      expect(after.certFingerprint).not.toBe(before);
      expect(await h.server.reloadTls()).toBe(false); // unchanged files: nothing to do
    } finally {
      await h.stop();
    }
  });

  it("reloads the client CA: a rotated CA admits its certificates, the old one's no more", async () => {
    const h = await startHarness({ pki, logLevel: "silent", clientCertificates: true });
    const original = await readFile(pki.files.ca, "utf8");
    try {
      const review = { apiVersion: "authentication.k8s.io/v1", kind: "TokenReview" };
      const body = { ...review, spec: { token: "svct_unknown" } };
      expect((await postJson(h, pki, "/authenticate", body)).status).toBe(200);

      const next = await createCertificateAuthority("svctokens-next-client-ca");
      const nextClient = await next.issue({ usage: "client", commonName: "kube-apiserver" });
      await writeFile(pki.files.ca, next.certPem);
      expect(await h.server.reloadTls()).toBe(true);
      expect((await postJson(h, pki, "/authenticate", body)).status).toBe(401);
      const answer = await postJson(h, pki, "/authenticate", body, { clientCert: nextClient });
      expect(answer.status).toBe(200);
    } finally {
      await writeFile(pki.files.ca, original);
      await h.stop();
    }
  });

  it("finishes in-flight requests on close, then refuses new connections", async () => {
    const h = await startHarness({ pki, logLevel: "silent" });
    let release!: (admin: boolean) => void;
    let entered!: () => void;
    const inHandler = new Promise<void>((resolve) => (entered = resolve));
    h.state.adminAnswer = () => {
      entered();
      return new Promise<boolean>((resolve) => (release = resolve));
    };
    const create = admissionRequest("CREATE", "serviceusers", { object: serviceUser("x") });
    const inFlight = postJson(h, pki, "/validate", admissionReview(create));
    await inHandler;

    const closing = h.server.close(5_000);
    release(true);
    const answer = await inFlight;
    expect(answer.status).toBe(200);
    expect(answer.json()).toMatchObject({ response: { uid: "uid-review", allowed: true } });
    expect(answer.headers.connection).toBe("close");
    await closing;
    await expect(call(h, pki, { path: "/verify" })).rejects.toThrow(/ECONNREFUSED/);
  });
});
