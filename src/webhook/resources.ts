// Where the webhook's resources live in the API. (The controller has the same refs in
// src/controller/caches.ts; they belong in src/k8s/paths.ts once both halves have landed.)
import { API_GROUP, API_VERSION, SERVICE_TOKEN_PLURAL, SERVICE_USER_PLURAL } from "../api/index.ts";
import type { ResourceRef } from "../k8s/paths.ts";

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

export const SUBJECT_ACCESS_REVIEWS: ResourceRef = {
  group: "authorization.k8s.io",
  version: "v1",
  plural: "subjectaccessreviews",
  namespaced: false,
};

/** Label the controller puts on every Secret it writes; admission selects Secrets by it. */
export const MANAGED_BY_LABEL_KEY = "app.kubernetes.io/managed-by";
export const MANAGED_BY_LABEL_VALUE = "svctokens";
