// What the rendered deploy/ manifests must hold: the objects of an install, and readers for
// the containers of their Deployments.
import type { V1Container, V1Deployment } from "@kubernetes/client-node";
import type { KubeObject } from "../../../src/k8s/object.ts";
import { find } from "./deploy-support.ts";

export const IMAGE = "ghcr.io/svctokens/svctokens:0.1.0";
export const TLS_BOOTSTRAP = "svctokens:webhook-tls";
export const BASE_OBJECTS = [
  "Namespace svctokens-system",
  "CustomResourceDefinition serviceusers.svctokens.dev",
  "CustomResourceDefinition servicetokens.svctokens.dev",
  "ServiceAccount svctokens-system/svctokens-controller",
  "ServiceAccount svctokens-system/svctokens-webhook",
  "ClusterRole svctokens:admin",
  "ClusterRole svctokens:view",
  "ClusterRole svctokens:manager",
  "ClusterRole svctokens:controller",
  "ClusterRole svctokens:webhook",
  `ClusterRole ${TLS_BOOTSTRAP}`,
  "ClusterRoleBinding svctokens:role:admin",
  "ClusterRoleBinding svctokens:controller",
  "ClusterRoleBinding svctokens:webhook",
  `ClusterRoleBinding ${TLS_BOOTSTRAP}`,
  "Role svctokens-system/svctokens:controller",
  "Role svctokens-system/svctokens:webhook",
  `Role svctokens-system/${TLS_BOOTSTRAP}`,
  "RoleBinding svctokens-system/svctokens:controller",
  "RoleBinding svctokens-system/svctokens:webhook",
  `RoleBinding svctokens-system/${TLS_BOOTSTRAP}`,
  "Deployment svctokens-system/svctokens-controller",
  "Deployment svctokens-system/svctokens-webhook",
  "PodDisruptionBudget svctokens-system/svctokens-controller",
  "PodDisruptionBudget svctokens-system/svctokens-webhook",
  "Service svctokens-system/svctokens-controller-metrics",
  "Service svctokens-system/svctokens-webhook",
  "Service svctokens-system/svctokens-webhook-metrics",
  "NetworkPolicy svctokens-system/svctokens-controller",
  "NetworkPolicy svctokens-system/svctokens-webhook",
  "ValidatingWebhookConfiguration svctokens",
  "MutatingWebhookConfiguration svctokens",
];
export const CERT_MANAGER_OBJECTS = [
  ...BASE_OBJECTS.filter((object) => !object.endsWith(TLS_BOOTSTRAP)),
  "Issuer svctokens-system/svctokens-selfsigned",
  "Certificate svctokens-system/svctokens-webhook",
];

export const containersOf = (deployment: V1Deployment): V1Container[] =>
  deployment.spec?.template.spec?.containers ?? [];
export const envOf = (container: V1Container, name: string): unknown =>
  container.env?.find((variable) => variable.name === name);
export const webhookContainer = (objects: KubeObject[]): V1Container | undefined =>
  containersOf(find<V1Deployment>(objects, "Deployment", "svctokens-webhook"))[0];
