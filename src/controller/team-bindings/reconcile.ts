// src/controller/team-bindings/: team RoleBindings in namespaces labelled for a team.
// Keeps one namespace's team RoleBindings as its team labels ask: apply, delete, or warn.
import { ROLE_BINDINGS } from "../../k8s/paths.ts";
import type { KubeObject } from "../../k8s/object.ts";
import type { ControllerContext } from "../context.ts";
import { EventReason } from "../events.ts";
import type { ProcessResult } from "../runtime/work-queue.ts";
import { applyObject, deleteObject } from "../writes.ts";
import { namespaceTeams } from "../../domain/team-namespace.ts";
import { exposedDeliveryTokens } from "./exposed.ts";
import {
  bindingUpToDate,
  desiredTeamRoleBindings,
  roleRefMatches,
  type TeamBindingsPlan,
} from "./desired.ts";

/** A reconciler of namespaces, by name. */
export type TeamBindingsReconciler = (
  ctx: ControllerContext,
  name: string,
) => Promise<ProcessResult>;

/**
 * A reconciler that remembers which warnings it already reported, so a refused label or an
 * exposed token gets one Warning Event per namespace and situation (not one per resync).
 */
export function teamBindingsReconciler(): TeamBindingsReconciler {
  const refusals = new Map<string, string>();
  const exposures = new Map<string, string>();
  return async (ctx, name) => {
    const namespace = ctx.caches.namespaces.get(name);
    // Gone or going: its RoleBindings go with it.
    if (!namespace || namespace.metadata?.deletionTimestamp !== undefined) {
      refusals.delete(name);
      exposures.delete(name);
      return {};
    }
    const plan = desiredTeamRoleBindings(namespace, ctx.operatorNamespace);
    await converge(ctx, name, plan);
    await reportRefusal(ctx, namespace, plan, refusals);
    await reportExposedTokens(ctx, namespace, exposures);
    return {};
  };
}

async function converge(
  ctx: ControllerContext,
  name: string,
  plan: TeamBindingsPlan,
): Promise<void> {
  const wanted = new Set(plan.bindings.map((binding) => binding.metadata.name));
  for (const key of ctx.caches.teamBindingsByNamespace.get(name)) {
    const existing = ctx.caches.teamBindings.get(key);
    const bindingName = existing?.metadata?.name;
    if (bindingName !== undefined && !wanted.has(bindingName)) {
      await deleteObject(ctx, ROLE_BINDINGS, name, bindingName);
      ctx.log.info({ namespace: name, binding: bindingName }, "team RoleBinding removed");
    }
  }
  for (const binding of plan.bindings) {
    const existing = ctx.caches.teamBindings.get(`${name}/${binding.metadata.name}`);
    if (existing && bindingUpToDate(existing, binding)) continue;
    if (existing && !roleRefMatches(existing, binding)) {
      await deleteObject(ctx, ROLE_BINDINGS, name, binding.metadata.name);
    }
    await applyObject(ctx, ROLE_BINDINGS, binding);
    ctx.log.info({ namespace: name, binding: binding.metadata.name }, "team RoleBinding applied");
  }
}

async function reportExposedTokens(
  ctx: ControllerContext,
  namespace: KubeObject,
  reported: Map<string, string>,
): Promise<void> {
  const name = namespace.metadata?.name ?? "";
  const teams = namespaceTeams(namespace.metadata?.labels);
  const exposed = exposedDeliveryTokens(name, teams, ctx.caches.tokensIn(name), (user) =>
    ctx.caches.users.get(user),
  );
  if (exposed.length === 0) {
    reported.delete(name);
    return;
  }
  const signature = `${teams.join(",")}|${exposed.join(",")}`;
  if (reported.get(name) === signature) return;
  reported.set(name, signature);
  await ctx.events.record(
    { ...namespace, apiVersion: "v1", kind: "Namespace" },
    EventReason.DeliveryTokenExposed,
    `ServiceTokens ${exposed.join(", ")} in namespace ${name} belong to Service Users with ` +
      `more reach than the Managers of team ${teams.join(", ")}, who can mount their delivery ` +
      `Secrets in Pods. Revoke them and create new ones in a namespace without team labels ` +
      `(or with spec.tokenHash), or remove the team label`,
    "Warning",
  );
}

async function reportRefusal(
  ctx: ControllerContext,
  namespace: KubeObject,
  plan: TeamBindingsPlan,
  reported: Map<string, string>,
): Promise<void> {
  const name = namespace.metadata?.name ?? "";
  if (plan.refused === undefined) {
    reported.delete(name);
    return;
  }
  const signature = `${namespace.metadata?.uid ?? ""}|${plan.refused.teams.join(",")}`;
  if (reported.get(name) === signature) return;
  reported.set(name, signature);
  const teams = plan.refused.teams.map((team) => `"${team}"`).join(", ");
  await ctx.events.record(
    { ...namespace, apiVersion: "v1", kind: "Namespace" },
    EventReason.TeamBindingRefused,
    `No RoleBindings for team ${teams} in namespace ${name}: ${plan.refused.reason}. Remove ` +
      `the team.svctokens.dev/ label and give the team a namespace of its own`,
    "Warning",
  );
}
