// Where the svctokens resources live in the Kubernetes API.
import type { ResourceRef } from "../k8s/paths.ts";
import { API_GROUP, API_VERSION, SERVICE_TOKEN_PLURAL, SERVICE_USER_PLURAL } from "./constants.ts";

export const SERVICE_USERS: ResourceRef = {
  group: API_GROUP,
  version: API_VERSION,
  plural: SERVICE_USER_PLURAL,
  namespaced: false,
};

export const SERVICE_TOKENS: ResourceRef = {
  group: API_GROUP,
  version: API_VERSION,
  plural: SERVICE_TOKEN_PLURAL,
  namespaced: true,
};
