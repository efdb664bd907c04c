// Where the webhook's resources live in the API.
import type { ResourceRef } from "../k8s/paths.ts";

export { SERVICE_TOKENS, SERVICE_USERS } from "../api/index.ts";
export { MANAGED_BY_LABEL_KEY, MANAGED_BY_LABEL_VALUE } from "../api/index.ts";

export const SUBJECT_ACCESS_REVIEWS: ResourceRef = {
  group: "authorization.k8s.io",
  version: "v1",
  plural: "subjectaccessreviews",
  namespaced: false,
};
