// The tokens and ServiceUser the app tests serve, and one harness over them per test file.
import { issue, serviceToken, serviceUser } from "../fixtures.ts";
import { harnessForFile, type FileHarness } from "./http-harness.ts";

export const user = serviceUser("ci-bot", { role: "Member", teams: ["payments"] });
export const ci = serviceToken("ci");
export const scim = serviceToken("scim", { audiences: ["scim"] });
export const revoked = serviceToken("old", { revoked: true });
export const ciToken = issue(ci);
export const scimToken = issue(scim);
export const revokedToken = issue(revoked);

/** The webhook app over this world, for the tests of one file; only "root" is an Admin. */
export function appHarness(): FileHarness {
  return harnessForFile({
    users: [user],
    tokens: [ci, scim, revoked],
    records: [ciToken.record, scimToken.record, revokedToken.record],
    admins: ["root"],
    clientCertificates: true,
  });
}
