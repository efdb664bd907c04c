// The HTTPS server: certificates reloaded from files, graceful close with in-flight requests.
import { writeFile } from "node:fs/promises";
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
