// The sample `npm run dev` applies and the guided tour it prints.
import { relative } from "node:path";

/** A Member of team `platform` and one token in the team's namespace `platform`. */
export const SAMPLE = {
  user: "ci-bot",
  token: "ci-bot",
  namespace: "platform",
  /** The team's namespace, labelled by the cluster admin (who may label namespaces). */
  namespaceManifest: `apiVersion: v1
kind: Namespace
metadata:
  name: platform
  labels:
    team.svctokens.dev/platform: ""
`,
  manifest: `apiVersion: svctokens.dev/v1alpha1
kind: ServiceUser
metadata:
  name: ci-bot
spec:
  displayName: CI bot
  role: Member
  teams: [platform]
---
apiVersion: svctokens.dev/v1alpha1
kind: ServiceToken
metadata:
  name: ci-bot
  namespace: platform
spec:
  serviceUser: ci-bot
  description: token for the tour
  expiresInDays: 30
`,
};

/** The tour, with paths relative to the working directory. */
export function guidedTour(devDir: string): string {
  const dir = relative(process.cwd(), devDir) || ".";
  return `
Guided tour (copy and paste; run from this folder):

  export KUBECONFIG=${dir}/token-admin.kubeconfig      # an Admin by RBAC
  export PATH=$PWD/bin:$PATH                          # the kubectl svctokens plugin
  kubectl svctokens users list
  kubectl svctokens list -A

  # The token, as a workload reads it from its Secret (cluster admin here):
  TOKEN=$(kubectl --kubeconfig ${dir}/admin.kubeconfig -n platform get secret ci-bot-token -o jsonpath='{.data.token}' | base64 -d)

  # Use it: who am I, and what may a Member of team platform do? It reads its team's
  # namespace (the controller bound svctokens:team:platform:member to view there), writes
  # nothing, and has no rights outside its team's namespaces:
  kubectl --kubeconfig ${dir}/token.kubeconfig --token "$TOKEN" auth whoami
  kubectl --kubeconfig ${dir}/admin.kubeconfig get rolebindings -n platform -l app.kubernetes.io/managed-by=svctokens
  kubectl --kubeconfig ${dir}/token.kubeconfig --token "$TOKEN" get pods -n platform
  kubectl --kubeconfig ${dir}/token.kubeconfig --token "$TOKEN" auth can-i create pods -n platform
  kubectl --kubeconfig ${dir}/token.kubeconfig --token "$TOKEN" get pods -n default

  # Revoke it. /verify refuses it at once, and so does kube-apiserver on the next request: the
  # svctokens authorizer denies it (403) although kube-apiserver still holds its authentication:
  kubectl svctokens revoke ci-bot -n platform
  kubectl svctokens list -n platform
  kubectl --kubeconfig ${dir}/token.kubeconfig --token "$TOKEN" get pods -n platform
  # Who did what with which token: kube-apiserver's audit log (Service Users only)
  jq -c '[.user.username, .user.extra["svctokens.dev/token-id"][0], .verb, .requestURI, .responseStatus.code]' ${dir}/controlplane/logs/audit.log

  # Only Admins may change tokens. alice has no rights at all, so RBAC refuses her first;
  # editor may patch tokens by RBAC but is no Admin, so the svctokens webhook refuses:
  kubectl svctokens restore ci-bot -n platform --kubeconfig ${dir}/alice.kubeconfig
  kubectl svctokens restore ci-bot -n platform --kubeconfig ${dir}/editor.kubeconfig
  # (plain kubectl: kubectl patch servicetoken ci-bot -n platform --type merge -p '{"spec":{"revoked":false}}')

  # An Admin restores it (kube-apiserver may remember the refusal for its 2 s cache TTL):
  kubectl svctokens restore ci-bot -n platform

  # A token made on your machine: only its hash enters the cluster, the value is shown once.
  # inspect tells which ServiceToken a value is (read from stdin, never printed):
  kubectl svctokens generate laptop -n platform --user ci-bot --expires 30d --output laptop-token.txt
  kubectl svctokens inspect < laptop-token.txt

Logs: ${dir}/logs/ and ${dir}/controlplane/logs/. Stop with Ctrl-C.

`;
}
