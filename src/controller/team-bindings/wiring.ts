// Which namespace to reconcile when a Namespace or one of the team RoleBindings changes.
import type { ControllerCaches } from "../caches.ts";

/** Sends namespace names to `sink` (undefined while this replica does not lead). */
export function connectTeamBindingKeys(
  caches: ControllerCaches,
  sink: () => ((namespace: string) => void) | undefined,
): void {
  caches.namespaces.onChange(({ object }) => {
    const name = object.metadata?.name;
    if (name) sink()?.(name);
  });
  caches.teamBindings.onChange(({ object }) => {
    const namespace = object.metadata?.namespace;
    if (namespace) sink()?.(namespace);
  });
}
