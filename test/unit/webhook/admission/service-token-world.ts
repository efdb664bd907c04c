// What the ServiceToken admission tables share: the ServiceUser ci-bot, its token prod/ci (30
// days), a world that knows the user, and the row check as the controller is configured.
import { serviceToken, serviceUser } from "../fixtures.ts";
import { checkAdmission, CONTROLLER, type AdmissionCase } from "./fixtures.ts";

export const user = serviceUser("ci-bot");
export const token = serviceToken("ci", { expiresInDays: 30 });
export const world = { users: [user] };
export const check = (c: AdmissionCase): void => checkAdmission(c, CONTROLLER);
