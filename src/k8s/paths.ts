// REST paths of Kubernetes resources.

/** Where a resource lives in the API: core group when `group` is "". */
export interface ResourceRef {
  group: string;
  version: string;
  plural: string;
  namespaced: boolean;
}

/** Built-in resources the operator touches. */
export const SECRETS: ResourceRef = {
  group: "",
  version: "v1",
  plural: "secrets",
  namespaced: true,
};
export const EVENTS: ResourceRef = {
  group: "events.k8s.io",
  version: "v1",
  plural: "events",
  namespaced: true,
};
export const LEASES: ResourceRef = {
  group: "coordination.k8s.io",
  version: "v1",
  plural: "leases",
  namespaced: true,
};
export const NAMESPACES: ResourceRef = {
  group: "",
  version: "v1",
  plural: "namespaces",
  namespaced: false,
};
export const ROLE_BINDINGS: ResourceRef = {
  group: "rbac.authorization.k8s.io",
  version: "v1",
  plural: "rolebindings",
  namespaced: true,
};
export const SUBJECT_ACCESS_REVIEWS: ResourceRef = {
  group: "authorization.k8s.io",
  version: "v1",
  plural: "subjectaccessreviews",
  namespaced: false,
};

/** Collection path (all namespaces when `namespace` is undefined) or object path. */
export function resourcePath(
  ref: ResourceRef,
  where: { namespace?: string | undefined; name?: string; subresource?: string } = {},
): string {
  const base = ref.group === "" ? `/api/${ref.version}` : `/apis/${ref.group}/${ref.version}`;
  const ns =
    ref.namespaced && where.namespace ? `/namespaces/${encodeURIComponent(where.namespace)}` : "";
  const name = where.name ? `/${encodeURIComponent(where.name)}` : "";
  const sub = where.name && where.subresource ? `/${where.subresource}` : "";
  return `${base}${ns}/${ref.plural}${name}${sub}`;
}

/** Appends query parameters, skipping undefined ones. */
export function withQuery(
  path: string,
  query: Record<string, string | number | boolean | undefined>,
): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined) params.set(key, String(value));
  }
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}
