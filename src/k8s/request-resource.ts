// The resource a request path addresses, for the requests metric (bounded label values).

/** e.g. `/api/v1/namespaces/x/secrets/y` → `secrets`; `/apis/g/v/servicetokens/n/status` → `servicetokens/status`. */
export function requestResource(path: string): string {
  const parts = path.split("?")[0]?.split("/").filter(Boolean) ?? [];
  const rest = parts[0] === "api" ? parts.slice(2) : parts.slice(3);
  const afterNamespace = rest[0] === "namespaces" && rest.length > 2 ? rest.slice(2) : rest;
  const [resource = "unknown", , subresource] = afterNamespace;
  return subresource ? `${resource}/${subresource}` : resource;
}
