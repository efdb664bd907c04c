// Who our API clients say they are: the User-Agent on every request and the field manager on
// every write, so audit logs and managedFields name the svctokens component that acted.
import { CONTROLLER_FIELD_MANAGER } from "../api/constants.ts";

/** The release, as package.json states it (a unit test keeps the two equal). */
export const SVCTOKENS_VERSION = "0.1.0";

/** How one client identifies itself to the API server. */
export interface ClientIdentity {
  /** `User-Agent` header, `<component>/<version>` like kubectl's. */
  readonly userAgent: string;
  /** `fieldManager` of every POST, PUT and PATCH (managedFields, conflicts of apply). */
  readonly fieldManager: string;
}

/** The identity of one svctokens component at one version. */
export function clientIdentity(component: string, version = SVCTOKENS_VERSION): ClientIdentity {
  return { userAgent: `${component}/${version}`, fieldManager: component };
}

/** The controller process. */
export const CONTROLLER_CLIENT = clientIdentity(CONTROLLER_FIELD_MANAGER);
/** The webhook service process. */
export const WEBHOOK_CLIENT = clientIdentity("svctokens-webhook");
/** Developer tools (`npm run dev`, scripts) and tests acting as a person would. */
export const TOOL_CLIENT = clientIdentity("svctokens-tool");
