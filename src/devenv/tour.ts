// The sample `npm run dev` applies and the guided tour it prints.
import { relative } from "node:path";

/** A Member Service User and one token in `default`. */
export const SAMPLE = {
  user: "ci-bot",
  token: "ci-bot",
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
  namespace: default
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
  kubectl get serviceusers,servicetokens -A

  # The token, as a workload reads it from its Secret (cluster admin here):
  TOKEN=$(kubectl --kubeconfig ${dir}/admin.kubeconfig -n default get secret ci-bot-token -o jsonpath='{.data.token}' | base64 -d)

  # Use it: who am I, and what may a Member do?
  kubectl --kubeconfig ${dir}/token.kubeconfig --token "$TOKEN" auth whoami
  kubectl --kubeconfig ${dir}/token.kubeconfig --token "$TOKEN" get pods -n default
  kubectl --kubeconfig ${dir}/token.kubeconfig --token "$TOKEN" auth can-i create pods -n default

  # Revoke it. /verify refuses it at once, and so does kube-apiserver on the next request: the
  # svctokens authorizer denies it (403) although kube-apiserver still holds its authentication:
  kubectl patch servicetoken ci-bot -n default --type merge -p '{"spec":{"revoked":true}}'
  kubectl get servicetoken ci-bot -n default
  kubectl --kubeconfig ${dir}/token.kubeconfig --token "$TOKEN" get pods -n default
  # Who did what with which token: kube-apiserver's audit log (Service Users only)
  jq -c '[.user.username, .user.extra["svctokens.dev/token-id"][0], .verb, .requestURI, .responseStatus.code]' ${dir}/controlplane/logs/audit.log

  # Only Admins may change tokens. alice has no rights at all, so RBAC refuses her first;
  # editor may patch tokens by RBAC but is no Admin, so the svctokens webhook refuses:
  kubectl --kubeconfig ${dir}/alice.kubeconfig patch servicetoken ci-bot -n default --type merge -p '{"spec":{"revoked":false}}'
  kubectl --kubeconfig ${dir}/editor.kubeconfig patch servicetoken ci-bot -n default --type merge -p '{"spec":{"revoked":false}}'

  # An Admin restores it (kube-apiserver may remember the refusal for its 2 s cache TTL):
  kubectl patch servicetoken ci-bot -n default --type merge -p '{"spec":{"revoked":false}}'

Logs: ${dir}/logs/ and ${dir}/controlplane/logs/. Stop with Ctrl-C.

`;
}
