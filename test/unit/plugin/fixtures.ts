// ServiceTokens and ServiceUsers for the plugin's unit tests.
import type { ServiceUser } from "../../../src/api/index.ts";
import type { TokenObject } from "../../../src/plugin/cluster.ts";

export function token(
  name: string,
  spec: Partial<TokenObject["spec"]> = {},
  status: TokenObject["status"] = {},
  namespace = "prod",
): TokenObject {
  return {
    metadata: { name, namespace, generation: 1 },
    spec: { serviceUser: "ci-bot", revoked: false, ...spec },
    status,
  };
}

export function user(
  name: string,
  spec: Partial<ServiceUser["spec"]> = {},
  status: ServiceUser["status"] = undefined,
): ServiceUser {
  return {
    metadata: { name },
    spec: { role: "Member", active: true, ...spec },
    ...(status ? { status } : {}),
  };
}
